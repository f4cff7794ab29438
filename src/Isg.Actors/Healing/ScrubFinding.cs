using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Healing;

/// <summary>One bad, repaired or lost shard of a pass: where, which block, why, and the files it belongs to.</summary>
public sealed record ScrubFinding(HealthEventKind Kind, ShardAddress Address, BlockId Block, string Message, IReadOnlyList<string> Files);
