namespace Isg.Actors.GarbageCollection;

/// <summary>A stripe row: <paramref name="K"/> data + <paramref name="M"/> parity shards, and the parity shards' objects.</summary>
public sealed record GcStripe(long Id, int K, int M, IReadOnlyList<GcObject> Parity);
