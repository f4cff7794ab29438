using Isg.Actors.Runtime;

namespace Isg.Actors.Backends.Queue;

/// <summary>
/// /node/backends: supervises one <see cref="UploaderActor"/> per queued (remote) backend of
/// <paramref name="backends"/>, named after the backend. Uploaders that fail restart with backoff.
/// </summary>
public sealed class BackendsActor(BackendSet backends) : Actor<IUploaderCommand>
{
    private static readonly SupervisorStrategy s_uploaderStrategy = new()
    {
        MinBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromMinutes(5),
        MaxRetries = 20,
        Window = TimeSpan.FromHours(1),
    };

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        foreach (var backend in backends.All.OfType<QueuedBackend>())
        {
            Context.Spawn<IUploaderCommand>(backend.Name, () => new UploaderActor(backend), MailboxOptions.Unbounded, s_uploaderStrategy);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask HandleAsync(IUploaderCommand message, CancellationToken cancellationToken)
    {
        if (message is not DrainQueue)
        {
            throw new ArgumentException($"unexpected message {message.GetType().Name}: ask an uploader itself", nameof(message));
        }

        // A drain sent here means "all of them".
        foreach (var child in Context.Children.OfType<IActorRef<IUploaderCommand>>())
        {
            child.Tell(message);
        }

        return ValueTask.CompletedTask;
    }
}
