namespace Isg.Protocol.Erasure;

/// <summary>
/// How to rebuild one erasure pattern: which k surviving shards to read and, for every missing shard, its row of
/// coefficients over them (rows of the inverted submatrix for data, parity rows times that inverse for parity).
/// </summary>
internal sealed class DecodePlan(int[] sources, int[] missing, CodingTables tables)
{
    /// <summary>The k shard indices read, ascending.</summary>
    public int[] Sources { get; } = sources;

    /// <summary>The shard indices written, ascending.</summary>
    public int[] Missing { get; } = missing;

    /// <summary>Missing.Length × k coefficients, expanded for the engine.</summary>
    public CodingTables Tables { get; } = tables;
}
