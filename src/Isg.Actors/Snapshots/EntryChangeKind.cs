namespace Isg.Actors.Snapshots;

/// <summary>How an entry differs between two catalogue states.</summary>
public enum EntryChangeKind
{
    /// <summary>Only the second state has it.</summary>
    Added,

    /// <summary>Only the first state has it.</summary>
    Removed,

    /// <summary>Both have it, with different metadata or content (Merkle root).</summary>
    Modified,
}
