using Isg.Protocol.Peers;

namespace Isg.Actors.Peers.Transport;

/// <summary>Limits and timings of peer connections. Immutable; <see cref="Validate"/> before use.</summary>
public sealed record PeerTransportOptions
{
    /// <summary>The defaults: 10 s handshake, ping after 30 s of silence, idle close after 90 s, 4 MiB + 64 KiB frames, 8 MiB send queue.</summary>
    public static PeerTransportOptions Default { get; } = new();

    /// <summary>The longest the TLS handshake and the Hello exchange may take together.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection on which nothing arrived for this long is pinged.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A connection on which nothing arrived for this long (pings unanswered) is closed with IDLE_TIMEOUT.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How long a close may take to write what is queued and the Close frame before the socket is dropped.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest frame (after its length prefix) this side accepts; announced in Hello.</summary>
    public int MaxFrameBytes { get; init; } = PeerFrameCodec.MaxFrameBytes;

    /// <summary>
    /// Encoded bytes of requests, answers and one-way messages that may wait to be written; senders wait beyond it
    /// (back-pressure). A single frame larger than this is let through when the queue is empty.
    /// </summary>
    public int SendQueueBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Requests of the peer handled at once on one connection; a request beyond it is answered BUSY at once, so that
    /// reading never stops while handlers wait (two nodes flooding each other can never deadlock).
    /// </summary>
    public int MaxConcurrentRequests { get; init; } = 64;

    /// <summary>
    /// Small frames written for the peer's sake outside <see cref="SendQueueBytes"/> (pongs, BUSY answers) that may wait;
    /// a peer that sends requests without reading the answers is closed with PROTOCOL_ERROR beyond it.
    /// </summary>
    public int MaxControlFrames { get; init; } = 4096;

    /// <summary>Handshakes a listener runs at once; connections beyond it are dropped at once.</summary>
    public int MaxPendingHandshakes { get; init; } = 64;

    /// <summary>What this node calls itself in Hello.client_version.</summary>
    public string ClientVersion { get; init; } = "isg/" + (typeof(PeerTransportOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    /// <summary>The clock of pings and idle timeouts.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when the options are unusable.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HelloTimeout, TimeSpan.Zero, nameof(HelloTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PingInterval, TimeSpan.Zero, nameof(PingInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(IdleTimeout, PingInterval, nameof(IdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CloseTimeout, TimeSpan.Zero, nameof(CloseTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameBytes, 1024, nameof(MaxFrameBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SendQueueBytes, nameof(SendQueueBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConcurrentRequests, nameof(MaxConcurrentRequests));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxControlFrames, nameof(MaxControlFrames));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPendingHandshakes, nameof(MaxPendingHandshakes));
        ArgumentException.ThrowIfNullOrWhiteSpace(ClientVersion, nameof(ClientVersion));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
