namespace Isg.Actors.Backends;

/// <summary>
/// What a backend accepts: objects up to <paramref name="MaxObjectSize"/> bytes; only video containers when
/// <paramref name="AcceptsOnlyVideo"/>; <paramref name="IsLocal"/> when it is on this machine (cheap, no quota).
/// </summary>
public sealed record BackendCapabilities(long MaxObjectSize, bool AcceptsOnlyVideo, bool IsLocal);
