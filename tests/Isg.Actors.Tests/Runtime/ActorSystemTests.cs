using Isg.Actors.Runtime;
using Isg.TestKit;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Tests.Runtime;

public sealed class ActorSystemTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Spawn_TopLevel_PathIsSlashName()
    {
        await using var system = new ActorSystem("test");

        var actor = system.Spawn<string>("node", () => new RecorderActor("node", new TestProbe<string>()));

        Assert.Equal("/node", actor.Path);
        Assert.Same(actor, Assert.Single(system.TopLevelActors));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a/b")]
    public async Task Spawn_BadName_ThrowsArgumentException(string name)
    {
        await using var system = new ActorSystem("test");

        Assert.ThrowsAny<ArgumentException>(() => system.Spawn<string>(name, () => new RecorderActor(name, new TestProbe<string>())));
    }

    [Fact]
    public async Task Spawn_DuplicateName_ThrowsInvalidOperation()
    {
        await using var system = new ActorSystem("test");
        system.Spawn<string>("node", () => new RecorderActor("a", new TestProbe<string>()));

        Assert.Throws<InvalidOperationException>(() => system.Spawn<string>("node", () => new RecorderActor("b", new TestProbe<string>())));
    }

    [Fact]
    public async Task StopAsync_ParentWithChildren_ChildrenStopFirstLastSpawnedFirst()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var parent = system.Spawn<string>("parent", () => new RecorderActor("parent", events, "child1", "child2"));
        string[] started = [await events.ExpectMessageAsync(Within), await events.ExpectMessageAsync(Within), await events.ExpectMessageAsync(Within)];
        Assert.Equal(["child1 started", "child2 started", "parent started"], started.Order());

        await system.StopAsync(parent).AsTask().WaitAsync(Within);

        var stops = events.Received.Where(e => e.EndsWith("stopped", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["child2 stopped", "child1 stopped", "parent stopped"], stops);
        Assert.True(system.WhenTerminated(parent).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task StopAsync_WhileUserMessagesQueued_StopsBeforeHandlingThem()
    {
        await using var system = new ActorSystem("test");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TestProbe<int>();
        var actor = system.Spawn<int>("gated", () => new GatedActor(gate.Task, started));
        actor.Tell(0);
        Assert.Equal(0, await started.ExpectMessageAsync(Within));
        for (var i = 1; i <= 100; i++)
        {
            Assert.True(actor.TryTell(i));
        }

        var stopping = system.StopAsync(actor).AsTask();
        gate.SetResult();
        await stopping.WaitAsync(Within);

        Assert.Equal([0], started.Received);
        Assert.Equal(100, system.DeadLetters.CountOf(DeadLetterReason.Stopped));
    }

    [Fact]
    public async Task StopAsync_AlreadyStopped_CompletesAgain()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn<string>("node", () => new RecorderActor("node", new TestProbe<string>()));
        await system.StopAsync(actor).AsTask().WaitAsync(Within);

        await system.StopAsync(actor).AsTask().WaitAsync(Within);

        Assert.Empty(system.TopLevelActors);
    }

    [Fact]
    public async Task StopAsync_RefFromElsewhere_ThrowsArgumentException()
    {
        await using var system = new ActorSystem("test");
        await using var other = new ActorSystem("other");
        var foreign = other.Spawn<string>("node", () => new RecorderActor("node", new TestProbe<string>()));

        await Assert.ThrowsAsync<ArgumentException>(async () => await system.StopAsync(new TestProbe<string>()));
        await Assert.ThrowsAsync<ArgumentException>(async () => await system.StopAsync(foreign));
    }

    [Fact]
    public async Task ShutdownAsync_TopLevelActors_StoppedLastSpawnedFirstThenSpawnRefused()
    {
        var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        system.Spawn<string>("catalog", () => new RecorderActor("catalog", events));
        system.Spawn<string>("encoders", () => new RecorderActor("encoders", events, "worker"));
        string[] started = [await events.ExpectMessageAsync(Within), await events.ExpectMessageAsync(Within), await events.ExpectMessageAsync(Within)];
        Assert.Equal(["catalog started", "encoders started", "worker started"], started.Order());

        await system.ShutdownAsync().AsTask().WaitAsync(Within);
        await system.DisposeAsync().AsTask().WaitAsync(Within);

        var stops = events.Received.Where(e => e.EndsWith("stopped", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["worker stopped", "encoders stopped", "catalog stopped"], stops);
        Assert.Throws<InvalidOperationException>(() => system.Spawn<string>("late", () => new RecorderActor("late", events)));
    }

    [Fact]
    public async Task GuardianStrategy_TopLevelActorThrows_RestartedAfterBackoffAndLoggedOnce()
    {
        var time = new ManualTimeProvider();
        var logs = new RecordingLoggerFactory();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time, LoggerFactory = logs });
        var events = new TestProbe<string>();
        var actor = system.Spawn<string>("node", () => new RecorderActor("node", events));
        Assert.Equal("node started", await events.ExpectMessageAsync(Within));

        actor.Tell("fail");
        Assert.Equal("node stopped", await events.ExpectMessageAsync(Within));
        await time.WaitForPendingTimersAsync(1, Within);
        var backoff = time.NextDue!.Value;
        time.Advance(backoff);

        Assert.Equal("node restarted: boom", await events.ExpectMessageAsync(Within));
        Assert.Equal("node started", await events.ExpectMessageAsync(Within));
        Assert.InRange(backoff, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(120));
        var errors = logs.Entries.Where(e => e.Level >= LogLevel.Error).ToArray();
        var error = Assert.Single(errors);
        Assert.Equal("boom", error.Exception?.Message);
        Assert.Contains("/node", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GuardianStrategy_Escalate_StopsTopLevelActor()
    {
        var strategy = SupervisorStrategy.OneForOne(_ => SupervisorDirective.Escalate);
        await using var system = new ActorSystem("test", new ActorSystemOptions { GuardianStrategy = strategy });
        var actor = system.Spawn<string>("node", () => new RecorderActor("node", new TestProbe<string>()));

        actor.Tell("fail");
        var terminated = await system.WhenTerminated(actor).WaitAsync(Within);

        Assert.Equal("boom", terminated.Cause?.Message);
    }

    [Fact]
    public void Constructor_BadOptions_ThrowsArgumentException()
    {
        Assert.ThrowsAny<ArgumentException>(() => new ActorSystem(""));
        Assert.ThrowsAny<ArgumentException>(() => new ActorSystem("x", new ActorSystemOptions { Throughput = 0 }));
        Assert.ThrowsAny<ArgumentException>(() => new ActorSystem("x", new ActorSystemOptions { GuardianStrategy = SupervisorStrategy.Default with { MaxRetries = -1 } }));
    }

    [Fact]
    public async Task WhenTerminated_RunningActor_PendingUntilStopped()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var actor = system.Spawn<string>("node", () => new RecorderActor("node", events));
        Assert.Equal("node started", await events.ExpectMessageAsync(Within));

        var terminated = system.WhenTerminated(actor);
        await events.ExpectNoMessageAsync(Short);
        Assert.False(terminated.IsCompleted);
        await system.StopAsync(actor);

        Assert.Same(actor, (await terminated.WaitAsync(Within)).Actor);
    }

    /// <summary>Reports start, restart and stop; spawns the named children (with the same probe) in PreStart; "fail" throws.</summary>
    private sealed class RecorderActor(string name, TestProbe<string> events, params string[] children) : Actor<string>
    {
        protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
        {
            foreach (var child in children)
            {
                Context.Spawn<string>(child, () => new RecorderActor(child, events));
            }

            events.Tell(name + " started");
            return ValueTask.CompletedTask;
        }

        protected override ValueTask PreRestartAsync(Exception reason, CancellationToken cancellationToken)
        {
            events.Tell(name + " restarted: " + reason.Message);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
        {
            events.Tell(name + " stopped");
            return ValueTask.CompletedTask;
        }

        protected override ValueTask HandleAsync(string message, CancellationToken cancellationToken) =>
            message == "fail" ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask;
    }

    private sealed class GatedActor(Task gate, TestProbe<int> started) : Actor<int>
    {
        protected override async ValueTask HandleAsync(int message, CancellationToken cancellationToken)
        {
            started.Tell(message);
            await gate;
        }
    }
}
