using Isg.Protocol.Peers;

namespace Isg.Protocol.Crdt;

/// <summary>
/// How far a replica holds each device's operation log: for each device, the highest sequence number up to which it
/// holds every operation. Immutable; devices it does not name are at 0.
/// </summary>
public sealed class VersionVector : IEquatable<VersionVector>
{
    private readonly Dictionary<DeviceId, ulong> _entries;

    private VersionVector(Dictionary<DeviceId, ulong> entries) => _entries = entries;

    /// <summary>The vector that holds nothing.</summary>
    public static VersionVector Empty { get; } = new([]);

    /// <summary>The devices with a sequence above 0, and their sequences.</summary>
    public IReadOnlyDictionary<DeviceId, ulong> Entries => _entries;

    /// <summary>A vector of the given entries; entries at 0 are dropped, a device named twice keeps its larger sequence.</summary>
    public static VersionVector From(IEnumerable<KeyValuePair<DeviceId, ulong>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var map = new Dictionary<DeviceId, ulong>();
        foreach (var (device, sequence) in entries)
        {
            if (sequence > 0 && (!map.TryGetValue(device, out var known) || known < sequence))
            {
                map[device] = sequence;
            }
        }

        return new VersionVector(map);
    }

    /// <summary>The sequence held of <paramref name="device"/> (0 when none).</summary>
    public ulong this[DeviceId device] => _entries.GetValueOrDefault(device);

    /// <summary>True when the replica holds operation <paramref name="id"/>.</summary>
    public bool Includes(OperationId id) => id.Sequence <= this[id.Device];

    /// <summary>True when this vector holds everything <paramref name="other"/> holds.</summary>
    public bool Covers(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (device, sequence) in other._entries)
        {
            if (this[device] < sequence)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The entry-wise maximum: what a replica holds after taking in both.</summary>
    public VersionVector Merge(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return From(_entries.Concat(other._entries));
    }

    /// <summary>
    /// The entry-wise minimum over <paramref name="vectors"/>: what every one of them holds (the vector below which
    /// operations have been seen by all members). Empty input gives the empty vector.
    /// </summary>
    public static VersionVector Meet(IReadOnlyList<VersionVector> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count == 0)
        {
            return Empty;
        }

        var map = new Dictionary<DeviceId, ulong>(vectors[0]._entries);
        foreach (var device in map.Keys.ToArray())
        {
            foreach (var vector in vectors)
            {
                map[device] = Math.Min(map[device], vector[device]);
            }
        }

        return From(map);
    }

    /// <inheritdoc />
    public bool Equals(VersionVector? other) => other is not null && Covers(other) && other.Covers(this);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is VersionVector other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = 0;
        foreach (var (device, sequence) in _entries)
        {
            hash ^= HashCode.Combine(device, sequence);
        }

        return hash;
    }

    /// <inheritdoc />
    public override string ToString() =>
        "{" + string.Join(", ", _entries.OrderBy(e => e.Key).Select(e => $"{e.Key.ShortId}:{e.Value}")) + "}";
}
