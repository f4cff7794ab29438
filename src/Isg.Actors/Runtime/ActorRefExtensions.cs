namespace Isg.Actors.Runtime;

/// <summary>Request-reply on top of tell.</summary>
public static class ActorRefExtensions
{
    /// <summary>
    /// Sends the message built by <paramref name="createMessage"/> around a one-shot reply address and returns the reply.
    /// Waits for mailbox space like <see cref="IActorRef{TMessage}.TellAsync"/>. Throws <see cref="AskTimeoutException"/>
    /// (naming the target) when no reply arrives within <paramref name="timeout"/> on the system's clock
    /// (<see cref="TimeProvider.System"/> for refs from outside a system; <see cref="Timeout.InfiniteTimeSpan"/> waits
    /// forever), and <see cref="OperationCanceledException"/> on cancellation. A late reply becomes a dead letter.
    /// </summary>
    public static Task<TReply> AskAsync<TMessage, TReply>(
        this IActorRef<TMessage> target,
        Func<IReplyTo<TReply>, TMessage> createMessage,
        TimeSpan timeout,
        CancellationToken cancellationToken)
        where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(createMessage);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "Must be positive or infinite.");
        }

        return AskCoreAsync(target, createMessage, timeout, cancellationToken);
    }

    /// <summary>A reply address that tells <paramref name="target"/> each reply mapped by <paramref name="map"/>: ask another actor without blocking.</summary>
    public static IReplyTo<TReply> ReplyAdapter<TMessage, TReply>(this IActorRef<TMessage> target, Func<TReply, TMessage> map)
        where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(map);
        return new ReplyAdapter<TMessage, TReply>(target, map);
    }

    private static async Task<TReply> AskCoreAsync<TMessage, TReply>(
        IActorRef<TMessage> target,
        Func<IReplyTo<TReply>, TMessage> createMessage,
        TimeSpan timeout,
        CancellationToken cancellationToken)
        where TMessage : notnull
    {
        var system = (target as Cell)?.System;
        var promise = new AskPromise<TReply>(target.Path, timeout, system?.DeadLetters, cancellationToken);
        using var timeoutSource = timeout == Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(timeout, system?.TimeProvider ?? TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        using var registration = linked.Token.UnsafeRegister(static state => ((AskPromise<TReply>)state!).Expire(), promise);
        var message = createMessage(promise);
        try
        {
            await target.TellAsync(message, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The promise already holds the timeout or the cancellation.
        }

        return await promise.Task.ConfigureAwait(false);
    }
}
