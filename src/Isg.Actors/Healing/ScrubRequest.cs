using Isg.Actors.Striping;

namespace Isg.Actors.Healing;

/// <summary>
/// What a scrub pass covers: every shard (<see cref="PathPrefix"/> and <see cref="Damaged"/> null), the shards of the
/// files at and below a catalogue path, or just the shards a read found <see cref="Damaged"/> (those still in the
/// catalogue); with <see cref="Repair"/>, bad shards are rewritten; with <see cref="Resume"/> a whole-repository pass
/// continues from the stored cursor.
/// </summary>
public sealed record ScrubRequest(string? PathPrefix = null, bool Repair = false, bool Resume = false, IReadOnlyList<ShardDamage>? Damaged = null);
