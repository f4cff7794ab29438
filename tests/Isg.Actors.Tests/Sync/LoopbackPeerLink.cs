using Isg.Actors.Peers;
using Isg.Actors.Sync;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Tests.Sync;

/// <summary>A peer link answered in process by another catalogue's responder; <see cref="Tamper"/> may rewrite answers.</summary>
internal sealed class LoopbackPeerLink(DeviceId remote, CatalogSyncResponder responder) : IPeerLink
{
    public DeviceId Remote { get; } = remote;

    public Func<PeerFrame, PeerFrame>? Tamper { get; set; }

    public int Requests { get; private set; }

    public Task<PeerFrame> RequestAsync(PeerFrame request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Requests++;

        // Through the wire format both ways, as a real connection would.
        var answer = responder.Answer(PeerFrame.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(request)))
            ?? new PeerFrame { Error = new ErrorReply { Code = ErrorCode.BadRequest, Message = "not a catalogue request" } };
        answer = PeerFrame.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(answer));
        return Task.FromResult(Tamper is null ? answer : Tamper(answer));
    }

    public ValueTask SendAsync(PeerFrame message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
