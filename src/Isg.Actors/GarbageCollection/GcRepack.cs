using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;

namespace Isg.Actors.GarbageCollection;

/// <summary>
/// A repack ready to commit: <paramref name="OldStripes"/> go (their parity and dead data blocks with them), every
/// block of <paramref name="LiveBlocks"/> (all live data blocks of the old stripes) moves to
/// <paramref name="NewStripes"/> (or out of any stripe when the policy has no redundancy), and each of
/// <paramref name="Moves"/> records a block's new location. Every object named here is durable already.
/// </summary>
public sealed record GcRepack(
    IReadOnlyList<long> OldStripes,
    IReadOnlyList<BlockId> LiveBlocks,
    IReadOnlyList<SealedStripe> NewStripes,
    IReadOnlyList<GcMove> Moves);
