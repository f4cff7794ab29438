namespace Isg.Actors.Runtime;

/// <summary>The temporary reply address of one ask: the first reply wins, later ones are dead letters.</summary>
internal sealed class AskPromise<TReply>(string targetPath, TimeSpan timeout, DeadLetters? deadLetters, CancellationToken cancellationToken)
    : IReplyTo<TReply>
{
    private readonly TaskCompletionSource<TReply> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TReply> Task => _completion.Task;

    public void Reply(TReply message)
    {
        if (!_completion.TrySetResult(message) && message is not null)
        {
            deadLetters?.Publish(targetPath + "/$ask", message, DeadLetterReason.AskExpired);
        }
    }

    /// <summary>Ends the ask: cancelled when the caller's token fired, otherwise timed out.</summary>
    public void Expire()
    {
        if (cancellationToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(cancellationToken);
        }
        else
        {
            _completion.TrySetException(new AskTimeoutException(targetPath, timeout));
        }
    }

    public override string ToString() => targetPath + "/$ask";
}
