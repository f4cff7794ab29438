using System.Threading.Channels;
using Isg.Actors.Peers.Transport;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Tests.Peers;

/// <summary>An inbound handler made of delegates; by default it echoes a BlockRequest's offset and records one-way messages.</summary>
public sealed class DelegateHandler : IPeerInboundHandler
{
    public DelegateHandler(
        Func<IPeerSession, PeerFrame, CancellationToken, ValueTask<PeerFrame>>? onRequest = null,
        Func<IPeerSession, PeerFrame, CancellationToken, ValueTask>? onMessage = null)
    {
        OnRequest = onRequest ?? ((_, request, _) => ValueTask.FromResult(Echo(request)));
        OnMessage = onMessage ?? ((_, message, _) =>
        {
            Messages.Writer.TryWrite(message);
            return ValueTask.CompletedTask;
        });
    }

    public Func<IPeerSession, PeerFrame, CancellationToken, ValueTask<PeerFrame>> OnRequest { get; }

    public Func<IPeerSession, PeerFrame, CancellationToken, ValueTask> OnMessage { get; }

    public Channel<PeerFrame> Messages { get; } = Channel.CreateUnbounded<PeerFrame>();

    /// <summary>A BlockResponse whose offset is the request's offset.</summary>
    public static PeerFrame Echo(PeerFrame request) =>
        new() { BlockResponse = new BlockResponse { BlockId = request.BlockRequest.BlockId, Offset = request.BlockRequest.Offset } };

    public static PeerFrame Request(ulong offset) => new() { BlockRequest = new BlockRequest { Offset = offset } };

    public ValueTask<PeerFrame> HandleRequestAsync(IPeerSession session, PeerFrame request, CancellationToken cancellationToken) =>
        OnRequest(session, request, cancellationToken);

    public ValueTask HandleMessageAsync(IPeerSession session, PeerFrame message, CancellationToken cancellationToken) =>
        OnMessage(session, message, cancellationToken);
}
