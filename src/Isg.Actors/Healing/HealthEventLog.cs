using Microsoft.Extensions.Logging;

namespace Isg.Actors.Healing;

/// <summary>
/// The healer's recent events: each is logged once when added and kept in a ring of the last
/// <see cref="Capacity"/>, numbered from 1. Thread-safe; read by the HTTP API while the healer writes.
/// </summary>
public sealed class HealthEventLog(ILogger logger, TimeProvider time, int capacity = 1000)
{
    private readonly Lock _lock = new();
    private readonly Queue<HealthEvent> _events = new();
    private long _sequence;

    /// <summary>Raised after each event is recorded, on the thread that added it (keep handlers short; they must not throw).</summary>
    public event Action<HealthEvent>? Added;

    /// <summary>Most events kept.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>The sequence number of the newest event (0: none yet).</summary>
    public long LastSequence
    {
        get
        {
            lock (_lock)
            {
                return _sequence;
            }
        }
    }

    /// <summary>Records and logs an event (warnings for damage, errors for losses); returns it with its number and time.</summary>
    public HealthEvent Add(HealthEventKind kind, string message, string? backend = null, string? objectName = null,
        string? block = null, long? stripe = null, IReadOnlyList<string>? files = null)
    {
        HealthEvent added;
        lock (_lock)
        {
            added = new HealthEvent(++_sequence, time.GetUtcNow(), kind, backend, objectName, block, stripe, files ?? [], message);
            _events.Enqueue(added);
            if (_events.Count > Capacity)
            {
                _events.Dequeue();
            }
        }

        var level = kind switch
        {
            HealthEventKind.StripeLost => LogLevel.Error,
            HealthEventKind.ShardMissing or HealthEventKind.ShardCorrupt or HealthEventKind.LeafHashesRewritten => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        logger.Log(level, "health {Kind} #{Sequence}: {Message}", kind, added.Sequence, message);
        Added?.Invoke(added);
        return added;
    }

    /// <summary>The kept events numbered above <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<HealthEvent> Since(long since)
    {
        lock (_lock)
        {
            return _events.Where(e => e.Sequence > since).ToList();
        }
    }
}
