namespace Isg.Actors.Backends.Local;

/// <summary>What <see cref="LocalBlockStore.CompactAsync"/> did: packs deleted, live objects copied out of them, bytes freed.</summary>
public sealed record PackCompaction(int PacksRemoved, int ObjectsMoved, long BytesReclaimed);
