namespace Isg.Actors.Runtime;

/// <summary>A reply address that maps each reply into a message for <c>target</c> and tells it.</summary>
internal sealed class ReplyAdapter<TMessage, TReply>(IActorRef<TMessage> target, Func<TReply, TMessage> map) : IReplyTo<TReply>
    where TMessage : notnull
{
    private readonly Func<TReply, TMessage> _map = map ?? throw new ArgumentNullException(nameof(map));

    public void Reply(TReply message) => target.Tell(_map(message));

    public override string ToString() => target.Path;
}
