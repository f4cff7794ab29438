namespace Isg.Actors.Catalog;

/// <summary>What a catalogue entry is. Stored as its integer value: never renumber.</summary>
public enum FileKind
{
    /// <summary>A regular file with content blocks.</summary>
    File = 0,

    /// <summary>A directory; it has no blocks.</summary>
    Directory = 1,

    /// <summary>A symbolic link; its target is in <see cref="FileEntry.LinkTarget"/> and it has no blocks.</summary>
    Symlink = 2,
}
