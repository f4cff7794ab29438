using Microsoft.Extensions.Logging;

namespace Isg.Actors.Runtime;

/// <summary>
/// An actor's handle on the runtime. Use it from the actor's own hooks and handler only (not from background tasks),
/// except <see cref="Self"/>, which is a thread-safe ref.
/// </summary>
/// <typeparam name="TMessage">The actor's protocol.</typeparam>
public interface IActorContext<TMessage>
    where TMessage : notnull
{
    /// <summary>This actor's ref; stable across restarts.</summary>
    IActorRef<TMessage> Self { get; }

    /// <summary>This actor's path.</summary>
    string Path { get; }

    /// <summary>A logger named after the actor's type.</summary>
    ILogger Logger { get; }

    /// <summary>The system clock (manual in tests).</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>The system the actor runs in.</summary>
    ActorSystem System { get; }

    /// <summary>The live children, in creation order (a snapshot).</summary>
    IReadOnlyList<IActorRef> Children { get; }

    /// <summary>
    /// Creates a child at <c>Path/name</c>, supervised with <paramref name="strategy"/> (null: this actor's
    /// <see cref="Actor{TMessage}"/>.SupervisorStrategy). Throws <see cref="InvalidOperationException"/> when the name is
    /// taken by a live child or this actor is stopping; a stopped child's name is free again.
    /// </summary>
    IActorRef<TChild> Spawn<TChild>(string name, Func<Actor<TChild>> factory, MailboxOptions? mailbox = null, SupervisorStrategy? strategy = null)
        where TChild : notnull;

    /// <summary>
    /// Creates a router pool child at <c>Path/name</c> with <paramref name="size"/> routees (<c>name/$0</c>, ...), each with
    /// <paramref name="mailbox"/>, supervised by the pool with <paramref name="routeeStrategy"/> (null: the default).
    /// An escalation from a routee fails the pool, which this actor supervises.
    /// </summary>
    IActorRef<TChild> SpawnPool<TChild>(
        string name,
        Func<Actor<TChild>> factory,
        int size,
        RoutingStrategy routing,
        MailboxOptions? mailbox = null,
        SupervisorStrategy? routeeStrategy = null)
        where TChild : notnull;

    /// <summary>Watches an actor of this system: <c>OnTerminatedAsync</c> runs once when it stops, at once if it already has. Idempotent.</summary>
    void Watch(IActorRef other);

    /// <summary>Stops watching; a signal not yet handled is discarded. Idempotent.</summary>
    void Unwatch(IActorRef other);

    /// <summary>Asks a child (or <see cref="Self"/>) to stop; throws <see cref="ArgumentException"/> for any other actor.</summary>
    void Stop(IActorRef child);

    /// <summary>Asks this actor to stop once the current message is handled (the handler's token is cancelled).</summary>
    void StopSelf();

    /// <summary>
    /// Tells <paramref name="message"/> to <see cref="Self"/> after <paramref name="delay"/> on <see cref="TimeProvider"/>.
    /// Pending tells are cancelled when the actor restarts or stops.
    /// </summary>
    ScheduledTell ScheduleTellOnce(TimeSpan delay, TMessage message);

    /// <summary>A reply address that turns a <typeparamref name="TReply"/> into one of this actor's messages (asking without blocking).</summary>
    IReplyTo<TReply> ReplyAdapter<TReply>(Func<TReply, TMessage> map);
}
