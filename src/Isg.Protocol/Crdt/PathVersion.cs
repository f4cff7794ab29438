using Isg.Protocol.Hashing;

namespace Isg.Protocol.Crdt;

/// <summary>
/// One version of a path as the replicated catalogue carries it: the file's metadata and its encoded manifest
/// (empty for directories and symlinks), which names every block a device needs to hold the content.
/// Equality is by value, manifest bytes included, so two devices that wrote the same content agree.
/// </summary>
public sealed record PathVersion(byte Kind, long Size, int Mode, long MtimeUnixNs, string? LinkTarget, Hash256 MerkleRoot, byte[] Manifest)
{
    /// <inheritdoc />
    public bool Equals(PathVersion? other) =>
        other is not null && Kind == other.Kind && Size == other.Size && Mode == other.Mode && MtimeUnixNs == other.MtimeUnixNs &&
        string.Equals(LinkTarget, other.LinkTarget, StringComparison.Ordinal) && MerkleRoot == other.MerkleRoot &&
        Manifest.AsSpan().SequenceEqual(other.Manifest);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Size, MtimeUnixNs, MerkleRoot);
}
