using Isg.Actors.Catalog;
using Isg.Actors.Encoders;

namespace Isg.Actors.Ingest;

/// <summary>Messages of an ingest job actor (/node/ingest-N): from its reader task and from the encoders.</summary>
public interface IIngestJobCommand;

/// <summary>The walk is done: every entry to consider, the bytes to read, and what was skipped (path, reason).</summary>
public sealed record ItemsScanned(IReadOnlyList<IngestItem> Items, long TotalBytes, IReadOnlyList<(string Path, string Reason)> Skipped) : IIngestJobCommand;

/// <summary>The reader has sent all <see cref="Chunks"/> chunks of file <see cref="File"/>, or failed reading it.</summary>
public sealed record FileRead(int File, int Chunks, long Bytes, Exception? Failure) : IIngestJobCommand;

/// <summary>File <see cref="File"/> matches the catalogue (kind, size, mode, mtime) and was not read.</summary>
public sealed record FileUnchanged(int File) : IIngestJobCommand;

/// <summary>An encoder's answer for one chunk.</summary>
public sealed record ChunkDone(ChunkEncoded Result) : IIngestJobCommand;

/// <summary>The reader task ended; <see cref="Failure"/> is why, when it stopped early.</summary>
public sealed record ReadingFinished(Exception? Failure) : IIngestJobCommand;

/// <summary>Timer: commit what is complete, so acknowledgements keep flowing on long adds.</summary>
public sealed record CommitTick : IIngestJobCommand;

/// <summary>A background commit (store flush, then catalogue transaction) of <see cref="Files"/> ended.</summary>
public sealed record CommitFinished(IReadOnlyList<int> Files, Exception? Failure) : IIngestJobCommand;

/// <summary>The partial stripes were closed: <see cref="Stripes"/> are those sealed then (their parity stored).</summary>
public sealed record StripesClosed(IReadOnlyList<SealedStripe> Stripes) : IIngestJobCommand;
