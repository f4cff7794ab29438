namespace Isg.Actors.Catalog;

/// <summary>A shard a scrub found missing or corrupt and that is not repaired yet.</summary>
public sealed record ShardFault(ShardAddress Address, ShardFaultKind Kind, DateTimeOffset FoundAt, string Message);
