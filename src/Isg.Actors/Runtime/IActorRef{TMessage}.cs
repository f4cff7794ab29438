namespace Isg.Actors.Runtime;

/// <summary>
/// The typed address of an actor. All members are thread-safe and never throw for a full or stopped mailbox:
/// a message that cannot be delivered goes to <see cref="ActorSystem.DeadLetters"/>.
/// </summary>
/// <typeparam name="TMessage">The protocol the actor handles.</typeparam>
public interface IActorRef<in TMessage> : IActorRef
    where TMessage : notnull
{
    /// <summary>Enqueues without waiting. False when the mailbox is full (in Wait or DropNewest mode) or the actor has stopped.</summary>
    bool TryTell(TMessage message);

    /// <summary>
    /// Enqueues, waiting for mailbox space in Wait mode (back-pressure); in drop modes it behaves as <see cref="TryTell"/>.
    /// Completes without error when the actor is stopped (the message becomes a dead letter); throws only on cancellation.
    /// </summary>
    ValueTask TellAsync(TMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Enqueues without blocking and without losing order: in Wait mode a message that finds the mailbox full is queued
    /// behind it (no back-pressure: use for replies and small volumes); in drop modes it drops as the mode says.
    /// </summary>
    void Tell(TMessage message);
}
