namespace Isg.Actors.Backends;

/// <summary>
/// What a backend accepts and can do: objects up to <paramref name="MaxObjectSize"/> bytes (larger ones are split
/// by the backend itself where it says so); only video containers when <paramref name="AcceptsOnlyVideo"/>;
/// <paramref name="IsLocal"/> when it is on this machine (cheap, no quota); whether objects can be deleted and
/// listed; and its quota, when the platform has one.
/// </summary>
public sealed record BackendCapabilities(long MaxObjectSize, bool AcceptsOnlyVideo, bool IsLocal)
{
    /// <summary>DeleteAsync really removes objects (false: it forgets them, e.g. a platform without a delete API).</summary>
    public bool SupportsDelete { get; init; } = true;

    /// <summary>ListAsync enumerates what the platform holds (false: it lists what this node recorded putting).</summary>
    public bool SupportsList { get; init; } = true;

    /// <summary>The platform's quota, or null when it has none.</summary>
    public BackendQuota? Quota { get; init; }
}
