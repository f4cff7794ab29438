using Isg.Protocol.Peers;

namespace Isg.Protocol.Crdt;

/// <summary>
/// The replicated catalogue's merge rules in memory (DESIGN.md §5): a multi-value register per path over a set of
/// operations. The SQLite catalogue applies the same rules durably; this is their reference, used to reason about and
/// test convergence. Applying the same operations in any order (each device's own operations in sequence) gives the
/// same survivors. Not thread-safe.
/// </summary>
public sealed class CatalogReplica(DeviceId device)
{
    private readonly Dictionary<OperationId, CatalogOperation> _operations = [];
    private readonly HashSet<OperationId> _superseded = [];
    private readonly Dictionary<string, HashSet<OperationId>> _survivors = new(StringComparer.Ordinal);
    private readonly Dictionary<DeviceId, ulong> _contiguous = [];
    private ulong _sequence;

    /// <summary>This replica's device.</summary>
    public DeviceId Device { get; } = device;

    /// <summary>Every operation held, in no particular order.</summary>
    public IEnumerable<CatalogOperation> Operations => _operations.Values;

    /// <summary>What this replica holds of each device's log (contiguous prefixes only).</summary>
    public VersionVector Vector => VersionVector.From(_contiguous);

    /// <summary>The paths that have at least one surviving operation (deletes included), in ordinal order.</summary>
    public IEnumerable<string> Paths => _survivors.Keys.Order(StringComparer.Ordinal);

    /// <summary>
    /// Makes a local write of <paramref name="path"/> (a delete when <paramref name="version"/> is null) at
    /// <paramref name="clock"/>: it supersedes every survivor of the path. Returns the new operation, applied.
    /// </summary>
    public CatalogOperation Write(string path, PathVersion? version, HlcTimestamp clock)
    {
        ArgumentNullException.ThrowIfNull(path);
        var supersedes = _survivors.TryGetValue(path, out var current) ? current.Order().ToArray() : [];
        var operation = new CatalogOperation(new OperationId(Device, ++_sequence), clock, path, version, supersedes);
        Apply(operation);
        return operation;
    }

    /// <summary>
    /// Takes in <paramref name="operation"/>. Returns false when it was already held (applying is idempotent).
    /// An operation superseded by one already held never survives; the operations it supersedes stop surviving.
    /// </summary>
    public bool Apply(CatalogOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (!_operations.TryAdd(operation.Id, operation))
        {
            return false;
        }

        if (operation.Id.Device == Device)
        {
            _sequence = Math.Max(_sequence, operation.Id.Sequence);
        }

        foreach (var superseded in operation.Supersedes)
        {
            _superseded.Add(superseded);
            if (_operations.TryGetValue(superseded, out var old) && _survivors.TryGetValue(old.Path, out var set))
            {
                set.Remove(superseded);
                if (set.Count == 0)
                {
                    _survivors.Remove(old.Path);
                }
            }
        }

        if (!_superseded.Contains(operation.Id))
        {
            if (!_survivors.TryGetValue(operation.Path, out var survivors))
            {
                _survivors[operation.Path] = survivors = [];
            }

            survivors.Add(operation.Id);
        }

        AdvanceContiguous(operation.Id.Device);
        return true;
    }

    /// <summary>The surviving operations of <paramref name="path"/> (empty when none).</summary>
    public IReadOnlyList<CatalogOperation> Survivors(string path) =>
        _survivors.TryGetValue(path, out var set) ? [.. set.Order().Select(id => _operations[id])] : [];

    /// <summary>What <paramref name="path"/> resolves to now.</summary>
    public PathResolution Resolve(string path) => PathResolution.Resolve(path, Survivors(path));

    /// <summary>The operations this replica holds that a replica at <paramref name="have"/> lacks.</summary>
    public IEnumerable<CatalogOperation> Missing(VersionVector have)
    {
        ArgumentNullException.ThrowIfNull(have);
        return _operations.Values.Where(o => !have.Includes(o.Id)).OrderBy(o => o.Id.Device).ThenBy(o => o.Id.Sequence);
    }

    private void AdvanceContiguous(DeviceId device)
    {
        var next = _contiguous.GetValueOrDefault(device);
        while (_operations.ContainsKey(new OperationId(device, next + 1)))
        {
            next++;
        }

        _contiguous[device] = next;
    }
}
