using Isg.Actors.Catalog;
using Isg.Actors.Encoders;

namespace Isg.Actors.Restore;

/// <summary>Messages of a restore job actor (/node/restore-N): from its feeder task and from the encoders.</summary>
public interface IRestoreJobCommand;

/// <summary>Totals of what will be restored.</summary>
public sealed record RestoreScanned(int Files, long Bytes) : IRestoreJobCommand;

/// <summary>
/// The feeder announces an entry before asking for its blocks: the target path and the global sequence number of
/// its first block (its blocks follow consecutively). <see cref="Failure"/>: the entry is skipped (e.g. the target exists).
/// </summary>
public sealed record EntryAnnounced(FileEntry Entry, string Target, long FirstSeq, Exception? Failure) : IRestoreJobCommand;

/// <summary>An encoder's answer for one block.</summary>
public sealed record BlockArrived(BlockDecoded Result) : IRestoreJobCommand;

/// <summary>
/// The feeder is done: it asked for <see cref="RequestedBlocks"/> blocks in all; <see cref="Failure"/> is why it
/// stopped early (then files whose blocks were not all requested cannot complete).
/// </summary>
public sealed record FeedingFinished(long RequestedBlocks, Exception? Failure) : IRestoreJobCommand;
