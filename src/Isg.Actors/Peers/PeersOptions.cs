using System.Net;
using Isg.Actors.Peers.Transport;

namespace Isg.Actors.Peers;

/// <summary>How the peers actor listens, dials and records. Immutable; <see cref="Validate"/> before use.</summary>
public sealed record PeersOptions
{
    /// <summary>The TCP port peers listen on by default.</summary>
    public const int DefaultPort = 7420;

    /// <summary>Where to listen for peers (port 0: any free port, reported in PeersStatus); null: dial only.</summary>
    public IPEndPoint? ListenEndPoint { get; init; } = new(IPAddress.Any, DefaultPort);

    /// <summary>Connection limits and timings.</summary>
    public PeerTransportOptions Transport { get; init; } = PeerTransportOptions.Default;

    /// <summary>The first delay before dialling a peer again after a failed dial or a lost connection.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between dials of one peer; delays double from <see cref="ReconnectMinDelay"/> up to it.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Each delay is stretched by a uniform factor in [1, 1 + ReconnectJitter), so peers do not dial in lockstep.</summary>
    public double ReconnectJitter { get; init; } = 0.5;

    /// <summary>A connection that lasted this long counts as healthy: the next dial after it ends starts from the first delay again.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often traffic figures are written and the peers table and cluster secret re-read.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> when the options are unusable.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Transport, nameof(Transport));
        Transport.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReconnectMinDelay, TimeSpan.Zero, nameof(ReconnectMinDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectMaxDelay, ReconnectMinDelay, nameof(ReconnectMaxDelay));
        if (!(ReconnectJitter >= 0 && double.IsFinite(ReconnectJitter)))
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectJitter), ReconnectJitter, "Must be finite and non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(StableAfter, TimeSpan.Zero, nameof(StableAfter));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RefreshInterval, TimeSpan.Zero, nameof(RefreshInterval));
    }

    /// <summary>
    /// The delay before dial number <paramref name="failures"/> (1-based) after failures in a row:
    /// min(Max, Min * 2^(failures-1)) * (1 + Jitter * <paramref name="sample"/>), sample in [0, 1).
    /// </summary>
    public TimeSpan ReconnectDelay(int failures, double sample)
    {
        var exponent = Math.Clamp(failures - 1, 0, 40);
        var ticks = Math.Min(ReconnectMaxDelay.Ticks, ReconnectMinDelay.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)(ticks * (1 + (ReconnectJitter * Math.Clamp(sample, 0, 1)))));
    }
}
