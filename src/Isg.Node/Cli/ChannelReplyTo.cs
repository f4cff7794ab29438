using System.Threading.Channels;
using Isg.Actors.Runtime;

namespace Isg.Node.Cli;

/// <summary>A reply address that writes into a channel: how a command (not an actor) subscribes to an actor's events.</summary>
public sealed class ChannelReplyTo<T>(ChannelWriter<T> writer) : IReplyTo<T>
{
    /// <summary>Writes <paramref name="message"/>; dropped once the channel is completed.</summary>
    public void Reply(T message) => writer.TryWrite(message);
}
