using Isg.Protocol.Errors;
using Isg.Protocol.Peers;

namespace Isg.Protocol.Crdt;

/// <summary>
/// A hybrid logical clock (Kulkarni et al., 2014) for one device. Pure: the caller passes physical time in Unix
/// milliseconds. Every reading it returns is greater than every reading it returned or observed before.
/// Not thread-safe; own it from one actor.
/// </summary>
public sealed class HybridLogicalClock
{
    private readonly ulong _device;
    private readonly long _maxDriftMs;

    private long _wallMs;
    private int _logical;

    /// <summary>
    /// Creates a clock for <paramref name="device"/> that refuses remote readings more than
    /// <paramref name="maxDriftMs"/> ahead of local physical time.
    /// </summary>
    public HybridLogicalClock(DeviceId device, long maxDriftMs)
        : this(device.TieBreak, maxDriftMs)
    {
    }

    /// <summary>Creates a clock with a raw device tie-break (tests, or a device id already reduced).</summary>
    public HybridLogicalClock(ulong deviceTieBreak, long maxDriftMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDriftMs);
        _device = deviceTieBreak;
        _maxDriftMs = maxDriftMs;
    }

    /// <summary>The largest reading made or observed so far (the zero reading before any).</summary>
    public HlcTimestamp Last => new(_wallMs, (ushort)_logical, _device);

    /// <summary>Restores state after a restart from the largest timestamp persisted; never moves the clock back.</summary>
    public void Restore(HlcTimestamp persisted)
    {
        if (persisted.WallMs > _wallMs || (persisted.WallMs == _wallMs && persisted.Logical > _logical))
        {
            _wallMs = persisted.WallMs;
            _logical = persisted.Logical;
        }
    }

    /// <summary>A new local reading (send or local event) at physical time <paramref name="physicalMs"/>.</summary>
    public HlcTimestamp Now(long physicalMs)
    {
        var physical = Clamp(physicalMs);
        if (physical > _wallMs)
        {
            _wallMs = physical;
            _logical = 0;
        }
        else
        {
            Bump(_logical + 1);
        }

        return Last;
    }

    /// <summary>
    /// Merges a remote reading (receive event) and returns a local reading greater than both it and every earlier
    /// local reading. Returns false with <see cref="ProtocolErrorKind.ClockDrift"/>, leaving the clock unchanged,
    /// when <paramref name="remote"/> is more than the maximum drift ahead of <paramref name="physicalMs"/>.
    /// </summary>
    public bool TryObserve(HlcTimestamp remote, long physicalMs, out HlcTimestamp timestamp, out ProtocolError error)
    {
        var physical = Clamp(physicalMs);
        if (remote.WallMs - physical > _maxDriftMs)
        {
            timestamp = default;
            error = ProtocolError.Of(
                ProtocolErrorKind.ClockDrift,
                $"remote clock is {remote.WallMs - physical} ms ahead of ours, more than the allowed {_maxDriftMs} ms");
            return false;
        }

        var previous = _wallMs;
        var wall = Math.Max(Math.Max(previous, remote.WallMs), physical);
        if (wall == previous && wall == remote.WallMs)
        {
            Bump(Math.Max(_logical, remote.Logical) + 1);
        }
        else if (wall == previous)
        {
            Bump(_logical + 1);
        }
        else if (wall == remote.WallMs)
        {
            _wallMs = wall;
            Bump(remote.Logical + 1);
        }
        else
        {
            _wallMs = wall;
            _logical = 0;
        }

        timestamp = Last;
        error = default;
        return true;
    }

    private static long Clamp(long physicalMs) => Math.Clamp(physicalMs, 0, HlcTimestamp.MaxWallMs);

    // The counter has 16 bits; past that the reading borrows the next millisecond, which still exceeds every
    // earlier reading because those all had a wall time at most the current one.
    private void Bump(int logical)
    {
        if (logical <= ushort.MaxValue)
        {
            _logical = logical;
            return;
        }

        if (_wallMs == HlcTimestamp.MaxWallMs)
        {
            throw new InvalidOperationException("the hybrid logical clock reached its largest representable reading");
        }

        _wallMs++;
        _logical = 0;
    }
}
