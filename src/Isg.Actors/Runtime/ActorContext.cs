using Microsoft.Extensions.Logging;

namespace Isg.Actors.Runtime;

/// <summary>The context of one <see cref="ActorCell{TMessage}"/>; shared by all its instances across restarts.</summary>
internal sealed class ActorContext<TMessage>(ActorCell<TMessage> cell) : IActorContext<TMessage>
    where TMessage : notnull
{
    public IActorRef<TMessage> Self => cell;

    public string Path => cell.Path;

    public ILogger Logger => cell.Logger;

    public TimeProvider TimeProvider => cell.System.TimeProvider;

    public ActorSystem System => cell.System;

    public IReadOnlyList<IActorRef> Children => cell.GetChildren();

    public IActorRef<TChild> Spawn<TChild>(string name, Func<Actor<TChild>> factory, MailboxOptions? mailbox = null, SupervisorStrategy? strategy = null)
        where TChild : notnull =>
        cell.SpawnChild(name, factory, mailbox, strategy);

    public IActorRef<TChild> SpawnPool<TChild>(
        string name,
        Func<Actor<TChild>> factory,
        int size,
        RoutingStrategy routing,
        MailboxOptions? mailbox = null,
        SupervisorStrategy? routeeStrategy = null)
        where TChild : notnull =>
        cell.SpawnPoolChild(name, factory, size, routing, mailbox, routeeStrategy);

    public void Watch(IActorRef other) => cell.Watch(other);

    public void Unwatch(IActorRef other) => cell.Unwatch(other);

    public void Stop(IActorRef child) => cell.StopChild(child);

    public void StopSelf() => cell.RequestStop(null);

    public ScheduledTell ScheduleTellOnce(TimeSpan delay, TMessage message) => cell.ScheduleTellOnce(delay, message);

    public IReplyTo<TReply> ReplyAdapter<TReply>(Func<TReply, TMessage> map) => new ReplyAdapter<TMessage, TReply>(cell, map);
}
