namespace Isg.Protocol.Erasure;

/// <summary>The arithmetic behind <see cref="ReedSolomonCodec"/>: matrices and dot products over GF(2^8). Thread-safe.</summary>
internal abstract unsafe class ErasureEngine
{
    /// <summary>Which implementation this is.</summary>
    public abstract ErasureImplementation Implementation { get; }

    /// <summary>Fills the rows × k encoding matrix (identity over Cauchy rows).</summary>
    public abstract void GenerateMatrix(Span<byte> matrix, int rows, int k);

    /// <summary>Inverts the n × n <paramref name="matrix"/> (destroyed) into <paramref name="inverse"/>; false when singular.</summary>
    public abstract bool TryInvert(Span<byte> matrix, Span<byte> inverse, int n);

    /// <summary>Expands rows × k <paramref name="coefficients"/> into tables for <see cref="Apply"/>.</summary>
    public abstract CodingTables BuildTables(ReadOnlySpan<byte> coefficients, int rows, int k);

    /// <summary>outputs[r] = Σ_j coefficient[r][j] · sources[j] over <paramref name="length"/> bytes; buffers must stay pinned.</summary>
    public abstract void Apply(CodingTables tables, int length, byte** sources, byte** outputs);
}
