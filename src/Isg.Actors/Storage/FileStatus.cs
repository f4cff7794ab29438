namespace Isg.Actors.Storage;

/// <summary>What lstat-style status says about a path (symlinks not followed). Mode holds permission bits only.</summary>
public readonly record struct FileStatus(FileStatusKind Kind, long Size, int Mode, long MtimeUnixNs);
