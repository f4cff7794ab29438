namespace Isg.Actors.Catalog;

/// <summary>Where one shard (a data block's copy or a parity shard) is stored: an object on a backend.</summary>
public readonly record struct ShardAddress(string Backend, string ObjectName)
{
    /// <inheritdoc />
    public override string ToString() => $"{Backend}/{ObjectName}";
}
