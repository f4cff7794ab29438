using Isg.Actors.Catalog;
using Isg.Protocol.Merkle;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Restore;

/// <summary>A file being written by a restore: its temp file, how far it got, and the running Merkle check.</summary>
internal sealed class RestoreFileState(FileEntry entry, string target, long firstSeq)
{
    /// <summary>The catalogue entry.</summary>
    public FileEntry Entry { get; } = entry;

    /// <summary>Where the file ends up.</summary>
    public string Target { get; } = target;

    /// <summary>Global sequence number of the first block.</summary>
    public long FirstSeq { get; } = firstSeq;

    /// <summary>The temp file next to the target (renamed over it when complete and verified).</summary>
    public string? TempPath { get; set; }

    /// <summary>The open temp file.</summary>
    public SafeFileHandle? Handle { get; set; }

    /// <summary>Bytes written so far.</summary>
    public long Written { get; set; }

    /// <summary>Blocks consumed so far (written or discarded after a failure).</summary>
    public int BlocksDone { get; set; }

    /// <summary>Why the file cannot be restored, once something failed.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Merkle tree over the block ids as written, compared with the catalogue's root at the end.</summary>
    public MerkleTreeBuilder Merkle { get; } = new();

    /// <summary>True when every block has been consumed.</summary>
    public bool IsComplete => BlocksDone == Entry.BlockCount;
}
