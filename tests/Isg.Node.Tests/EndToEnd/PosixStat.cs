namespace Isg.Node.Tests.EndToEnd;

/// <summary>What lstat says about a path: file type bits (S_IFMT), permission bits (07777), size and mtime in ns.</summary>
public readonly record struct PosixStat(int Type, int Mode, long Size, long MtimeNs)
{
    /// <summary>S_IFREG.</summary>
    public const int Regular = 0x8000;

    /// <summary>S_IFDIR.</summary>
    public const int Directory = 0x4000;

    /// <summary>S_IFLNK.</summary>
    public const int Symlink = 0xA000;

    /// <summary>True for a regular file.</summary>
    public bool IsRegular => Type == Regular;

    /// <summary>True for a directory.</summary>
    public bool IsDirectory => Type == Directory;

    /// <summary>True for a symbolic link.</summary>
    public bool IsSymlink => Type == Symlink;
}
