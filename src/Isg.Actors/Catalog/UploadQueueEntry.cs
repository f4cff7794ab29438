namespace Isg.Actors.Catalog;

/// <summary>
/// An object waiting in a remote backend's upload queue: its name and length, when it was queued, how many uploads
/// failed, the last failure (classification and short message), and when the next attempt is due.
/// </summary>
public sealed record UploadQueueEntry(
    string ObjectName, long Length, DateTimeOffset EnqueuedAt, int Attempts, string? LastError, DateTimeOffset NextAttemptAt);
