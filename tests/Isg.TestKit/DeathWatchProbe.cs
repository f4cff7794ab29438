using Isg.Actors.Runtime;

namespace Isg.TestKit;

/// <summary>
/// Awaits <see cref="Terminated"/> signals through the runtime's own death watch: a small top-level watcher actor
/// (<c>/$deathwatchN</c>) watches on request and forwards every signal to a probe. Time bounds are real time.
/// </summary>
public sealed class DeathWatchProbe
{
    private static int s_counter;
    private readonly IActorRef<IWatcherCommand> _watcher;
    private readonly TestProbe<Terminated> _signals = new("deathwatch");

    /// <summary>Spawns the watcher in <paramref name="system"/>.</summary>
    public DeathWatchProbe(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var name = "$deathwatch" + Interlocked.Increment(ref s_counter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _watcher = system.Spawn<IWatcherCommand>(name, () => new Watcher(_signals));
    }

    private interface IWatcherCommand
    {
    }

    /// <summary>Watches <paramref name="target"/>; completes once the watch is registered.</summary>
    public Task WatchAsync(IActorRef target, TimeSpan within) =>
        _watcher.AskAsync<IWatcherCommand, bool>(reply => new WatchCommand(target, true, reply), Timeout.InfiniteTimeSpan, CancellationToken.None)
            .WaitAsync(within);

    /// <summary>Stops watching <paramref name="target"/>; completes once the watch is removed.</summary>
    public Task UnwatchAsync(IActorRef target, TimeSpan within) =>
        _watcher.AskAsync<IWatcherCommand, bool>(reply => new WatchCommand(target, false, reply), Timeout.InfiniteTimeSpan, CancellationToken.None)
            .WaitAsync(within);

    /// <summary>The signal for <paramref name="target"/>, skipping others; fails the test when none arrives within <paramref name="within"/>.</summary>
    public Task<Terminated> ExpectTerminatedAsync(IActorRef target, TimeSpan within) =>
        _signals.FishForMessageAsync(signal => ReferenceEquals(signal.Actor, target), within);

    /// <summary>Fails the test when any signal arrives within <paramref name="within"/> (always waits that long).</summary>
    public Task ExpectNoTerminatedAsync(TimeSpan within) => _signals.ExpectNoMessageAsync(within);

    private sealed record WatchCommand(IActorRef Target, bool Watch, IReplyTo<bool> ReplyTo) : IWatcherCommand;

    private sealed class Watcher(TestProbe<Terminated> signals) : Actor<IWatcherCommand>
    {
        protected override ValueTask HandleAsync(IWatcherCommand message, CancellationToken cancellationToken)
        {
            var command = (WatchCommand)message;
            if (command.Watch)
            {
                Context.Watch(command.Target);
            }
            else
            {
                Context.Unwatch(command.Target);
            }

            command.ReplyTo.Reply(true);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask OnTerminatedAsync(Terminated signal, CancellationToken cancellationToken)
        {
            signals.Tell(signal);
            return ValueTask.CompletedTask;
        }
    }
}
