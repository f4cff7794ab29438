using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>
/// A file version to record. <paramref name="Blocks"/> are numbered 0..n-1 and tile [0, <paramref name="Size"/>)
/// for a <see cref="FileKind.File"/>; directories and symlinks have none. <paramref name="Manifest"/> is stored
/// as opaque bytes. Paths are relative, '/'-separated, without empty, "." or ".." segments.
/// </summary>
public sealed record FileCommit(
    string Path,
    FileKind Kind,
    long Size,
    int Mode,
    long MtimeUnixNs,
    string? LinkTarget,
    Hash256 MerkleRoot,
    byte[] Manifest,
    IReadOnlyList<FileBlock> Blocks);
