using System.Net;
using Isg.Actors.Catalog;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// One authenticated connection to a peer, as the sync and swarm actors use it. Every member is thread-safe. Both sides
/// may have many requests in flight; answers arrive in any order and are matched by request id.
/// </summary>
public interface IPeerSession
{
    /// <summary>The peer's device id (its certificate's hash, checked during the handshake).</summary>
    DeviceId RemoteDevice { get; }

    /// <summary>The name the peer gave in its Hello; informational.</summary>
    string RemoteName { get; }

    /// <summary>The peer's program version from its Hello.</summary>
    string RemoteClientVersion { get; }

    /// <summary>Whether this node dialled or accepted the connection.</summary>
    PeerRole Role { get; }

    /// <summary>Why the peer is trusted: paired, or proved the cluster secret.</summary>
    PeerTrust Trust { get; }

    /// <summary>The peer's socket address.</summary>
    EndPoint? RemoteEndPoint { get; }

    /// <summary>When the handshake completed.</summary>
    DateTimeOffset ConnectedAt { get; }

    /// <summary>Frame bytes (with prefixes) written to the peer so far.</summary>
    long BytesSent { get; }

    /// <summary>Frame bytes (with prefixes) read from the peer so far, the Hello included.</summary>
    long BytesReceived { get; }

    /// <summary>Requests of this node waiting for an answer: a measure of how busy the peer is with us.</summary>
    int PendingRequests { get; }

    /// <summary>False once the connection is closing or closed.</summary>
    bool IsOpen { get; }

    /// <summary>Completes (never faults) when the connection has ended, with how it ended.</summary>
    Task<PeerCloseInfo> Completion { get; }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the peer's answer: a frame whose body answers it, or an ErrorReply
    /// (an answer too, not an exception). Takes ownership of the frame: its request id and response flag are set here.
    /// Waits for room in the send queue (back-pressure). Throws <see cref="PeerConnectionClosedException"/> when the
    /// connection closes before the answer, <see cref="OperationCanceledException"/> on cancellation (a late answer is
    /// dropped), and <see cref="ArgumentException"/> for a frame larger than the peer accepts.
    /// </summary>
    Task<PeerFrame> RequestAsync(PeerFrame request, CancellationToken cancellationToken);

    /// <summary>
    /// Queues a one-way message (request id 0); the peer's handler sees one-way messages in the order they were sent.
    /// Completes once queued; waits for room (back-pressure). Throws as <see cref="RequestAsync"/>.
    /// </summary>
    ValueTask SendAsync(PeerFrame message, CancellationToken cancellationToken);

    /// <summary>
    /// Closes the connection: what is queued is written, then Close with <paramref name="reason"/> and
    /// <paramref name="detail"/>; pending requests fail. Completes with <see cref="Completion"/>. Idempotent.
    /// </summary>
    Task<PeerCloseInfo> CloseAsync(CloseReason reason, string detail);
}
