namespace Isg.Actors.Catalog;

/// <summary>A backend's upload queue at a glance: objects and bytes waiting, and when the oldest was queued (null when empty).</summary>
public sealed record UploadQueueSummary(string Backend, long Objects, long Bytes, DateTimeOffset? OldestEnqueuedAt, string? LastError);
