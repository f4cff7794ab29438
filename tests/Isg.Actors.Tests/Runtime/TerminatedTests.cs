using Isg.Actors.Runtime;
using Isg.TestKit;

namespace Isg.Actors.Tests.Runtime;

public sealed class TerminatedTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Watch_TargetStops_WatcherToldOnceWithoutCause()
    {
        await using var system = new ActorSystem("test");
        var watch = new DeathWatchProbe(system);
        var target = system.Spawn<string>("target", () => new TargetActor());
        await watch.WatchAsync(target, Within);

        await system.StopAsync(target);

        var signal = await watch.ExpectTerminatedAsync(target, Within);
        Assert.Same(target, signal.Actor);
        Assert.Null(signal.Cause);
        await watch.ExpectNoTerminatedAsync(Short);
    }

    [Fact]
    public async Task Watch_TargetAlreadyStopped_ToldAtOnce()
    {
        await using var system = new ActorSystem("test");
        var watch = new DeathWatchProbe(system);
        var target = system.Spawn<string>("target", () => new TargetActor(), strategy: SupervisorStrategy.Stopping);
        target.Tell("fail");
        await system.WhenTerminated(target).WaitAsync(Within);

        await watch.WatchAsync(target, Within);

        Assert.Equal("boom", (await watch.ExpectTerminatedAsync(target, Within)).Cause?.Message);
    }

    [Fact]
    public async Task Unwatch_BeforeStop_NoSignal()
    {
        await using var system = new ActorSystem("test");
        var watch = new DeathWatchProbe(system);
        var target = system.Spawn<string>("target", () => new TargetActor());
        await watch.WatchAsync(target, Within);

        await watch.UnwatchAsync(target, Within);
        await system.StopAsync(target);

        await watch.ExpectNoTerminatedAsync(Short);
    }

    [Fact]
    public async Task Unwatch_SignalAlreadyQueued_Discarded()
    {
        await using var system = new ActorSystem("test");
        var signals = new TestProbe<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = system.Spawn<string>("target", () => new TargetActor());
        var watcher = system.Spawn<string>("watcher", () => new ManualWatcher(target, signals, gate.Task));
        watcher.Tell("watch");
        watcher.Tell("hold then unwatch");
        Assert.Equal("holding", await signals.FishForMessageAsync(s => s == "holding", Within));

        // The watcher is busy, so the signal waits in its system queue until the unwatch has happened.
        await system.StopAsync(target);
        gate.SetResult();

        Assert.Equal("unwatched", await signals.ExpectMessageAsync(Within));
        await signals.ExpectNoMessageAsync(Short);
    }

    [Fact]
    public async Task Watch_SeveralWatchers_EachToldOnce()
    {
        await using var system = new ActorSystem("test");
        var first = new DeathWatchProbe(system);
        var second = new DeathWatchProbe(system);
        var target = system.Spawn<string>("target", () => new TargetActor());
        await first.WatchAsync(target, Within);
        await first.WatchAsync(target, Within);
        await second.WatchAsync(target, Within);

        await system.StopAsync(target);

        await first.ExpectTerminatedAsync(target, Within);
        await second.ExpectTerminatedAsync(target, Within);
        await first.ExpectNoTerminatedAsync(Short);
    }

    [Fact]
    public async Task Watch_ParentStops_ChildSignalsCarryNoCause()
    {
        await using var system = new ActorSystem("test");
        var watch = new DeathWatchProbe(system);
        var children = new TestProbe<IActorRef<string>>();
        var parent = system.Spawn<string>("parent", () => new TargetActor(children));
        var child = await children.ExpectMessageAsync(Within);
        await watch.WatchAsync(child, Within);
        await watch.WatchAsync(parent, Within);

        await system.StopAsync(parent);

        Assert.Null((await watch.ExpectTerminatedAsync(child, Within)).Cause);
        Assert.Null((await watch.ExpectTerminatedAsync(parent, Within)).Cause);
    }

    [Fact]
    public async Task Watch_WatcherRestarts_NewInstanceStillTold()
    {
        await using var system = new ActorSystem("test");
        var signals = new TestProbe<string>();
        var target = system.Spawn<string>("target", () => new TargetActor());
        var instances = 0;
        var watcher = system.Spawn<string>(
            "watcher",
            () => new WatcherActor(target, signals, watch: Interlocked.Increment(ref instances) == 1),
            strategy: SupervisorStrategy.Default with { MinBackoff = TimeSpan.Zero });
        Assert.Equal("watching", await signals.ExpectMessageAsync(Within));

        watcher.Tell("fail");
        Assert.Equal("started", await signals.ExpectMessageAsync(Within));
        await system.StopAsync(target);

        Assert.Equal("terminated /target", await signals.ExpectMessageAsync(Within));
    }

    [Fact]
    public async Task OnTerminatedAsync_Throws_WatcherSupervised()
    {
        await using var system = new ActorSystem("test");
        var signals = new TestProbe<string>();
        var target = system.Spawn<string>("target", () => new TargetActor());
        var watcher = system.Spawn<string>("watcher", () => new WatcherActor(target, signals, throwOnTerminated: true), strategy: SupervisorStrategy.Stopping);
        Assert.Equal("watching", await signals.ExpectMessageAsync(Within));

        await system.StopAsync(target);

        Assert.Equal("signal failed", (await system.WhenTerminated(watcher).WaitAsync(Within)).Cause?.Message);
    }

    [Fact]
    public async Task Watch_ForeignRef_ThrowsArgumentException()
    {
        await using var system = new ActorSystem("test");
        var signals = new TestProbe<string>();

        system.Spawn<string>("watcher", () => new WatcherActor(new TestProbe<string>(), signals));

        Assert.Equal(nameof(ArgumentException), await signals.ExpectMessageAsync(Within));
    }

    private sealed class ManualWatcher(IActorRef target, TestProbe<string> signals, Task gate) : Actor<string>
    {
        protected override async ValueTask HandleAsync(string message, CancellationToken cancellationToken)
        {
            if (message == "watch")
            {
                Context.Watch(target);
                signals.Tell("watching");
                return;
            }

            signals.Tell("holding");
            await gate;
            Context.Unwatch(target);
            signals.Tell("unwatched");
        }

        protected override ValueTask OnTerminatedAsync(Terminated signal, CancellationToken cancellationToken)
        {
            signals.Tell("terminated " + signal.Actor.Path);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class TargetActor(TestProbe<IActorRef<string>>? children = null) : Actor<string>
    {
        protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
        {
            children?.Tell(Context.Spawn<string>("child", () => new TargetActor()));
            return ValueTask.CompletedTask;
        }

        protected override ValueTask HandleAsync(string message, CancellationToken cancellationToken) =>
            message == "fail" ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask;
    }

    private sealed class WatcherActor(IActorRef target, TestProbe<string> signals, bool throwOnTerminated = false, bool watch = true) : Actor<string>
    {
        protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
        {
            if (!watch)
            {
                signals.Tell("started");
                return ValueTask.CompletedTask;
            }

            try
            {
                Context.Watch(target);
                signals.Tell("watching");
            }
            catch (ArgumentException ex)
            {
                signals.Tell(ex.GetType().Name);
            }

            return ValueTask.CompletedTask;
        }

        protected override ValueTask HandleAsync(string message, CancellationToken cancellationToken) =>
            message == "fail" ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask;

        protected override ValueTask OnTerminatedAsync(Terminated signal, CancellationToken cancellationToken)
        {
            if (throwOnTerminated)
            {
                throw new InvalidOperationException("signal failed");
            }

            signals.Tell("terminated " + signal.Actor.Path);
            return ValueTask.CompletedTask;
        }
    }
}
