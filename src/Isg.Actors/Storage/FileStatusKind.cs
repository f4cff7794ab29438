namespace Isg.Actors.Storage;

/// <summary>The type of a file system entry, from its status.</summary>
public enum FileStatusKind
{
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link.</summary>
    Symlink,
    /// <summary>A FIFO, socket or device: not stored.</summary>
    Special,
}
