namespace Isg.Actors.Backends.Queue;

/// <summary>
/// What one upload pass did: objects confirmed by the platform, objects that failed (rescheduled), and when the next
/// queued object is due (null: the queue is empty; at or before now: more is due at once).
/// </summary>
public sealed record UploadPass(int Uploaded, int Failed, DateTimeOffset? NextDueAt);
