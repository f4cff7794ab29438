namespace Isg.Actors.Healing;

/// <summary>One backend's shards: how many the catalogue places there, their stored bytes, and how many a scrub found bad.</summary>
public sealed record BackendHealth(string Name, long Shards, long Bytes, long BadShards);
