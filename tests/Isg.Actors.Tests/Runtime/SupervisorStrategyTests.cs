using FsCheck;
using FsCheck.Fluent;
using Isg.Actors.Runtime;
using Isg.TestKit;

namespace Isg.Actors.Tests.Runtime;

public sealed class SupervisorStrategyTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);
    private static readonly SupervisorStrategy Immediate = SupervisorStrategy.Default with { MinBackoff = TimeSpan.Zero };

    [Fact]
    public void ComputeBackoff_NoJitter_DoublesFromMinUpToMax()
    {
        var strategy = SupervisorStrategy.Default with { RandomFactor = 0 };

        var delays = Enumerable.Range(1, 10).Select(n => strategy.ComputeBackoff(n, 0.5).TotalMilliseconds);

        Assert.Equal([100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000, 10000], delays);
    }

    [Fact]
    public void ComputeBackoff_AnySample_StaysWithinJitterRange()
    {
        var strategy = SupervisorStrategy.Default with { RandomFactor = 0.5 };

        Prop.ForAll(Gen.Choose(1, 40).ToArbitrary(), Gen.Choose(0, 999_999).ToArbitrary(), (restart, sample) =>
        {
            var baseMs = Math.Min(10_000, 100 * Math.Pow(2, restart - 1));
            var delay = strategy.ComputeBackoff(restart, sample / 1_000_000.0).TotalMilliseconds;
            return delay >= baseMs - 0.001 && delay < (baseMs * 1.5) + 0.001;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void ComputeBackoff_ExtremeRestartCount_NoOverflow()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), (SupervisorStrategy.Default with { RandomFactor = 0 }).ComputeBackoff(int.MaxValue, 0));
        Assert.Equal(TimeSpan.Zero, Immediate.ComputeBackoff(5, 0.9));
    }

    [Fact]
    public void Validate_BadLimits_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => (SupervisorStrategy.Default with { MaxRetries = -1 }).Validate());
        Assert.ThrowsAny<ArgumentException>(() => (SupervisorStrategy.Default with { Window = TimeSpan.Zero }).Validate());
        Assert.ThrowsAny<ArgumentException>(() => (SupervisorStrategy.Default with { MinBackoff = TimeSpan.FromSeconds(20) }).Validate());
        Assert.ThrowsAny<ArgumentException>(() => (SupervisorStrategy.Default with { RandomFactor = double.NaN }).Validate());
        Assert.ThrowsAny<ArgumentException>(() => (SupervisorStrategy.Default with { Scope = (SupervisionScope)9 }).Validate());
        SupervisorStrategy.Default.Validate();
    }

    [Fact]
    public async Task Restart_WithBackoff_NoMessageBeforeBackoffThenHooksInOrder()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var strategy = SupervisorStrategy.Default with { MinBackoff = TimeSpan.FromSeconds(1), RandomFactor = 0 };
        var created = 0;
        var actor = system.Spawn<string>("flaky", () => new FlakyActor("flaky", events, Interlocked.Increment(ref created)), strategy: strategy);
        Assert.Equal("flaky#1 prestart", await events.ExpectMessageAsync(Within));

        actor.Tell("fail");
        actor.Tell("ping");
        Assert.Equal("flaky#1 poststop", await events.ExpectMessageAsync(Within));
        await time.WaitForPendingTimersAsync(1, Within);
        Assert.Equal(TimeSpan.FromSeconds(1), time.NextDue);
        time.Advance(TimeSpan.FromMilliseconds(999));
        await events.ExpectNoMessageAsync(Short);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("flaky#2 prerestart boom", await events.ExpectMessageAsync(Within));
        Assert.Equal("flaky#2 prestart", await events.ExpectMessageAsync(Within));
        Assert.Equal("flaky#2 ping", await events.ExpectMessageAsync(Within));
        Assert.Equal(2, created);
        Assert.Equal(1, system.DeadLetters.CountOf(DeadLetterReason.HandlerFailed));
    }

    [Fact]
    public async Task Restart_RepeatedFailures_BackoffGrowsExponentially()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var strategy = SupervisorStrategy.Default with { MinBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(5), RandomFactor = 0 };
        var actor = system.Spawn<string>("flaky", () => new FlakyActor("flaky", events), strategy: strategy);
        Assert.Equal("flaky prestart", await events.ExpectMessageAsync(Within));

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            actor.Tell("fail");
            Assert.Equal("flaky poststop", await events.ExpectMessageAsync(Within));
            await time.WaitForPendingTimersAsync(1, Within);
            delays.Add(time.NextDue!.Value);
            time.Advance(time.NextDue!.Value);
            Assert.Equal("flaky prerestart boom", await events.ExpectMessageAsync(Within));
            Assert.Equal("flaky prestart", await events.ExpectMessageAsync(Within));
        }

        Assert.Equal([1, 2, 4, 5], delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task Restart_WithJitter_DelayWithinRange()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var strategy = SupervisorStrategy.Default with { MinBackoff = TimeSpan.FromSeconds(1), RandomFactor = 0.25 };
        var actor = system.Spawn<string>("flaky", () => new FlakyActor("flaky", events), strategy: strategy);
        Assert.Equal("flaky prestart", await events.ExpectMessageAsync(Within));

        actor.Tell("fail");
        await time.WaitForPendingTimersAsync(1, Within);

        Assert.InRange(time.NextDue!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.25));
    }

    [Fact]
    public async Task Restart_MaxRetriesExceeded_StoppedWithCause()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var watch = new DeathWatchProbe(system);
        var actor = system.Spawn<string>("flaky", () => new FlakyActor("flaky", events), strategy: Immediate with { MaxRetries = 2 });
        await watch.WatchAsync(actor, Within);

        for (var i = 0; i < 3; i++)
        {
            actor.Tell("fail");
        }

        var terminated = await watch.ExpectTerminatedAsync(actor, Within);
        Assert.Equal("boom", terminated.Cause?.Message);
        Assert.Equal(3, events.Received.Count(e => e == "flaky prestart"));
    }

    [Fact]
    public async Task Restart_FailuresOutsideWindow_CountStartsAgain()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var actor = system.Spawn<string>("flaky", () => new FlakyActor("flaky", events), strategy: Immediate with { MaxRetries = 1 });

        actor.Tell("fail");
        actor.Tell("ping");
        Assert.Equal("flaky ping", await events.FishForMessageAsync(e => e == "flaky ping", Within));
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromTicks(1));
        actor.Tell("fail");
        actor.Tell("ping");
        Assert.Equal("flaky ping", await events.FishForMessageAsync(e => e == "flaky ping", Within));
        actor.Tell("fail");

        var terminated = await system.WhenTerminated(actor).WaitAsync(Within);
        Assert.Equal("boom", terminated.Cause?.Message);
    }

    [Fact]
    public async Task Resume_AfterFailure_KeepsStateAndDropsFailingMessage()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var strategy = SupervisorStrategy.OneForOne(_ => SupervisorDirective.Resume);
        var actor = system.Spawn<string>("counter", () => new FlakyActor("counter", events), strategy: strategy);

        actor.Tell("inc");
        actor.Tell("inc");
        actor.Tell("fail");
        actor.Tell("inc");
        actor.Tell("count");

        Assert.Equal("counter count 3", await events.FishForMessageAsync(e => e.StartsWith("counter count", StringComparison.Ordinal), Within));
        Assert.Equal(1, events.Received.Count(e => e == "counter prestart"));
        Assert.DoesNotContain("counter poststop", events.Received);
    }

    [Fact]
    public async Task Resume_FailureInPreStart_RestartsInstead()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var strategy = SupervisorStrategy.OneForOne(_ => SupervisorDirective.Resume) with { MinBackoff = TimeSpan.Zero };
        var created = 0;
        var actor = system.Spawn<string>(
            "fragile",
            () => new FlakyActor("fragile", events, Interlocked.Increment(ref created), failInPreStart: created == 1),
            strategy: strategy);

        actor.Tell("ping");

        Assert.Equal("fragile#2 ping", await events.FishForMessageAsync(e => e.EndsWith("ping", StringComparison.Ordinal), Within));
        Assert.Equal(["fragile#1 poststop", "fragile#2 prerestart prestart failed", "fragile#2 prestart"], events.Received.Take(3));
    }

    [Fact]
    public async Task Stop_Directive_StoppedWithCauseAndQueuedMessagesDeadLettered()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var actor = system.Spawn<string>("fragile", () => new FlakyActor("fragile", events), strategy: SupervisorStrategy.Stopping);

        actor.Tell("fail");
        var terminated = await system.WhenTerminated(actor).WaitAsync(Within);

        Assert.Same(actor, terminated.Actor);
        Assert.IsType<InvalidOperationException>(terminated.Cause);
        Assert.Equal("fragile poststop", events.Received[^1]);
    }

    [Fact]
    public async Task Escalate_ChildFails_ParentsSupervisorDecidesWithChildException()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var decisions = new TestProbe<Exception>();
        var children = new TestProbe<IActorRef<string>>();
        var watch = new DeathWatchProbe(system);
        var grandparent = SupervisorStrategy.OneForOne(ex =>
        {
            decisions.Tell(ex);
            return SupervisorDirective.Stop;
        });
        var parent = system.Spawn<string>(
            "parent",
            () => new ParentActor(events, children, SupervisorStrategy.OneForOne(_ => SupervisorDirective.Escalate), "child"),
            strategy: grandparent);
        var child = await children.ExpectMessageAsync(Within);
        await watch.WatchAsync(parent, Within);
        await watch.WatchAsync(child, Within);

        child.Tell("fail");

        var decided = await decisions.ExpectMessageAsync(Within);
        Assert.Equal("boom", decided.Message);
        Assert.Null((await watch.ExpectTerminatedAsync(child, Within)).Cause);
        Assert.Same(decided, (await watch.ExpectTerminatedAsync(parent, Within)).Cause);
        Assert.Equal(["child poststop", "parent poststop"], events.Received.Where(e => e.EndsWith("poststop", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Escalate_ParentResumed_ChildResumedWithState()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var children = new TestProbe<IActorRef<string>>();
        system.Spawn<string>(
            "parent",
            () => new ParentActor(events, children, SupervisorStrategy.OneForOne(_ => SupervisorDirective.Escalate), "child"),
            strategy: SupervisorStrategy.OneForOne(_ => SupervisorDirective.Resume));
        var child = await children.ExpectMessageAsync(Within);

        child.Tell("inc");
        child.Tell("fail");
        child.Tell("count");

        Assert.Equal("child count 1", await events.FishForMessageAsync(e => e.StartsWith("child count", StringComparison.Ordinal), Within));
    }

    [Fact]
    public async Task Restart_ParentWithChildren_ChildrenStoppedAndRespawned()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var children = new TestProbe<IActorRef<string>>();
        var parent = system.Spawn<string>("parent", () => new ParentActor(events, children, SupervisorStrategy.Default, "child"), strategy: Immediate);
        var first = await children.ExpectMessageAsync(Within);

        parent.Tell("fail");
        var second = await children.ExpectMessageAsync(Within);

        Assert.Equal(first.Path, second.Path);
        Assert.NotSame(first, second);
        Assert.True(system.WhenTerminated(first).IsCompleted);
        var order = events.Received.Where(e => e.EndsWith("poststop", StringComparison.Ordinal) || e.EndsWith("prerestart boom", StringComparison.Ordinal));
        Assert.Equal(["child poststop", "parent poststop", "parent prerestart boom"], order);
    }

    [Fact]
    public async Task AllForOne_OneChildFails_AllChildrenRestarted()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var children = new TestProbe<IActorRef<string>>();
        var strategy = SupervisorStrategy.AllForOne(_ => SupervisorDirective.Restart) with { MinBackoff = TimeSpan.Zero };
        system.Spawn<string>("parent", () => new ParentActor(events, children, strategy, "a", "b"));
        var a = await children.ExpectMessageAsync(Within);
        var b = await children.ExpectMessageAsync(Within);
        b.Tell("inc");
        b.Tell("count");
        Assert.Equal("b count 1", await events.FishForMessageAsync(e => e.StartsWith("b count", StringComparison.Ordinal), Within));

        a.Tell("fail");

        // Both restart, each in its own cell, so in either order.
        var restarted = new HashSet<string>();
        while (restarted.Count < 2)
        {
            restarted.Add(await events.FishForMessageAsync(e => e is "a prerestart boom" or "b prerestart boom", Within));
        }

        b.Tell("count");
        Assert.Equal("b count 0", await events.FishForMessageAsync(e => e.StartsWith("b count", StringComparison.Ordinal), Within));
    }

    [Fact]
    public async Task OneForOne_OneChildFails_SiblingUntouched()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var children = new TestProbe<IActorRef<string>>();
        system.Spawn<string>("parent", () => new ParentActor(events, children, Immediate, "a", "b"));
        var a = await children.ExpectMessageAsync(Within);
        var b = await children.ExpectMessageAsync(Within);
        b.Tell("inc");

        a.Tell("fail");
        await events.FishForMessageAsync(e => e == "a prerestart boom", Within);
        b.Tell("count");

        Assert.Equal("b count 1", await events.FishForMessageAsync(e => e.StartsWith("b count", StringComparison.Ordinal), Within));
        Assert.DoesNotContain("b prerestart boom", events.Received);
    }

    [Fact]
    public async Task AllForOne_MaxRetriesExceeded_AllChildrenStopped()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var children = new TestProbe<IActorRef<string>>();
        var strategy = SupervisorStrategy.AllForOne(_ => SupervisorDirective.Restart) with { MinBackoff = TimeSpan.Zero, MaxRetries = 0 };
        system.Spawn<string>("parent", () => new ParentActor(events, children, strategy, "a", "b"));
        var a = await children.ExpectMessageAsync(Within);
        var b = await children.ExpectMessageAsync(Within);

        a.Tell("fail");

        Assert.Equal("boom", (await system.WhenTerminated(a).WaitAsync(Within)).Cause?.Message);
        Assert.Null((await system.WhenTerminated(b).WaitAsync(Within)).Cause);
    }

    [Fact]
    public async Task Decider_Throws_ChildStopped()
    {
        await using var system = new ActorSystem("test");
        var strategy = SupervisorStrategy.OneForOne(_ => throw new InvalidOperationException("bad decider"));
        var actor = system.Spawn<string>("flaky", () => new FlakyActor("flaky", new TestProbe<string>()), strategy: strategy);

        actor.Tell("fail");

        Assert.Equal("boom", (await system.WhenTerminated(actor).WaitAsync(Within)).Cause?.Message);
    }

    [Fact]
    public async Task Restart_StopRequestedDuringBackoff_StopsWithoutRestarting()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var actor = system.Spawn<string>("flaky", () => new FlakyActor("flaky", events), strategy: SupervisorStrategy.Default with { MinBackoff = TimeSpan.FromSeconds(5) });
        actor.Tell("fail");
        await time.WaitForPendingTimersAsync(1, Within);
        Assert.Equal("flaky prestart", await events.ExpectMessageAsync(Within));
        Assert.Equal("flaky poststop", await events.ExpectMessageAsync(Within));

        await system.StopAsync(actor).AsTask().WaitAsync(Within);
        time.Advance(TimeSpan.FromSeconds(10));

        await events.ExpectNoMessageAsync(Short);
        Assert.Equal(0, time.PendingTimers);
    }

    /// <summary>Counts "inc", reports "count", throws on "fail"; reports hooks prefixed with its name (and instance number when given).</summary>
    private sealed class FlakyActor(string name, TestProbe<string> events, int instance = 0, bool failInPreStart = false) : Actor<string>
    {
        private readonly string _tag = instance == 0 ? name : $"{name}#{instance}";
        private int _count;

        protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
        {
            if (failInPreStart)
            {
                throw new InvalidOperationException("prestart failed");
            }

            events.Tell(_tag + " prestart");
            return ValueTask.CompletedTask;
        }

        protected override ValueTask PreRestartAsync(Exception reason, CancellationToken cancellationToken)
        {
            events.Tell(_tag + " prerestart " + reason.Message);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
        {
            events.Tell(_tag + " poststop");
            return ValueTask.CompletedTask;
        }

        protected override ValueTask HandleAsync(string message, CancellationToken cancellationToken)
        {
            switch (message)
            {
                case "fail":
                    throw new InvalidOperationException("boom");
                case "inc":
                    _count++;
                    break;
                case "count":
                    events.Tell($"{_tag} count {_count}");
                    break;
                default:
                    events.Tell(_tag + " " + message);
                    break;
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A <see cref="FlakyActor"/> that also spawns the named children in PreStart, reports their refs, and supervises them with <c>strategy</c>.</summary>
    private sealed class ParentActor(TestProbe<string> events, TestProbe<IActorRef<string>> children, SupervisorStrategy strategy, params string[] names)
        : Actor<string>
    {
        private readonly FlakyActor _self = new("parent", events);

        protected override SupervisorStrategy SupervisorStrategy => strategy;

        protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
        {
            foreach (var name in names)
            {
                children.Tell(Context.Spawn<string>(name, () => new FlakyActor(name, events)));
            }

            return ValueTask.CompletedTask;
        }

        protected override ValueTask PreRestartAsync(Exception reason, CancellationToken cancellationToken)
        {
            events.Tell("parent prerestart " + reason.Message);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
        {
            events.Tell("parent poststop");
            return ValueTask.CompletedTask;
        }

        protected override ValueTask HandleAsync(string message, CancellationToken cancellationToken) =>
            message == "fail" ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask;
    }
}
