using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>
/// One catalogue entry as listed. <paramref name="Id"/> is never reused, so a stale id finds nothing rather
/// than another file; <paramref name="Path"/> is relative with forward slashes; times are UTC.
/// </summary>
public sealed record FileEntry(
    long Id,
    string Path,
    FileKind Kind,
    long Size,
    int Mode,
    long MtimeUnixNs,
    string? LinkTarget,
    Hash256 MerkleRoot,
    int BlockCount,
    DateTimeOffset AddedAt);
