using System.Net;
using Isg.Actors.Catalog;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// One authenticated connection to a peer, as the sync and swarm actors use it: an <see cref="IPeerLink"/> (requests
/// and one-way messages; a closed connection throws <see cref="PeerUnavailableException"/>, whose inner
/// <see cref="PeerConnectionClosedException"/> says how it ended) plus what the node knows of the connection. Every
/// member is thread-safe. Both sides may have many requests in flight; answers arrive in any order and are matched by
/// request id. Requests take ownership of the frame (its request id and response flag are set); a frame larger than
/// the peer accepts is an <see cref="ArgumentException"/>; senders wait for room in the bounded send queue.
/// </summary>
public interface IPeerSession : IPeerLink
{
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
    /// Closes the connection: what is queued is written, then Close with <paramref name="reason"/> and
    /// <paramref name="detail"/>; pending requests fail. Completes with <see cref="Completion"/>. Idempotent.
    /// </summary>
    Task<PeerCloseInfo> CloseAsync(CloseReason reason, string detail);
}
