using Isg.Actors.Runtime;
using Isg.TestKit;

namespace Isg.Actors.Tests.Runtime;

public sealed class ActorTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Tell_OverflowingWaitMailbox_HandledInOrderWithoutLoss()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn<ICollect>("collector", () => new Collector(), new MailboxOptions { Capacity = 16 });

        for (var i = 0; i < 5000; i++)
        {
            actor.Tell(new Item(i));
        }

        var all = await actor.AskAsync<ICollect, int[]>(reply => new GetAll(reply), Timeout.InfiniteTimeSpan, CancellationToken.None).WaitAsync(Within);

        Assert.Equal(Enumerable.Range(0, 5000), all);
        Assert.Equal(0, system.DeadLetters.Count);
    }

    [Fact]
    public async Task TellAsync_ConcurrentSenders_EachSendersOrderPreserved()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn<ICollect>("collector", () => new Collector(), new MailboxOptions { Capacity = 8 });

        const int PerSender = 2000;
        var senders = Enumerable.Range(0, 4).Select(sender => Task.Run(async () =>
        {
            for (var i = 0; i < PerSender; i++)
            {
                await actor.TellAsync(new Item((sender * PerSender) + i), CancellationToken.None);
            }
        }));
        await Task.WhenAll(senders).WaitAsync(Within);
        var all = await actor.AskAsync<ICollect, int[]>(reply => new GetAll(reply), Timeout.InfiniteTimeSpan, CancellationToken.None).WaitAsync(Within);

        Assert.Equal(4 * PerSender, all.Length);
        for (var sender = 0; sender < 4; sender++)
        {
            var own = all.Where(n => n / PerSender == sender).ToArray();
            Assert.Equal(Enumerable.Range(sender * PerSender, PerSender), own);
        }
    }

    [Fact]
    public async Task PreStartAsync_BeforeFirstMessage_RunsFirstWithContextSet()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var actor = system.Spawn<string>("hooks", () => new HookActor(events));

        actor.Tell("hello");

        Assert.Equal("prestart /hooks", await events.ExpectMessageAsync(Within));
        Assert.Equal("hello", await events.ExpectMessageAsync(Within));
    }

    [Fact]
    public async Task StopAsync_RightAfterSpawn_PostStopRunsExactlyWhenPreStartRan()
    {
        await using var system = new ActorSystem("test");
        for (var i = 0; i < 20; i++)
        {
            var events = new TestProbe<string>();
            var actor = system.Spawn<string>("short-lived", () => new HookActor(events));

            await system.StopAsync(actor).AsTask().WaitAsync(Within);

            var started = events.Received.Count(e => e.StartsWith("prestart", StringComparison.Ordinal));
            Assert.Equal(started, events.Received.Count(e => e == "poststop"));
        }
    }

    [Fact]
    public async Task Context_InConstructor_Throws()
    {
        await using var system = new ActorSystem("test");
        var errors = new TestProbe<string>();

        system.Spawn<string>("early", () => new ContextInConstructorActor(errors));

        Assert.Equal(nameof(InvalidOperationException), await errors.ExpectMessageAsync(Within));
    }

    [Fact]
    public async Task StopSelf_WithQueuedMessages_StopsAfterCurrentAndDeadLettersRest()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = system.Spawn<string>("quitter", () => new QuitterActor(events, gate.Task));
        actor.Tell("quit");
        Assert.Equal("quit", await events.ExpectMessageAsync(Within));

        actor.Tell("a");
        actor.Tell("b");
        gate.SetResult();
        var terminated = await system.WhenTerminated(actor).WaitAsync(Within);

        Assert.Null(terminated.Cause);
        Assert.Equal("poststop", await events.ExpectMessageAsync(Within));
        Assert.Equal(2, system.DeadLetters.CountOf(DeadLetterReason.Stopped));
        Assert.DoesNotContain("a", events.Received);
    }

    [Fact]
    public async Task HandleAsync_StopWhileAwaiting_TokenCancelledAndNoFailure()
    {
        var logs = new RecordingLoggerFactory();
        await using var system = new ActorSystem("test", new ActorSystemOptions { LoggerFactory = logs });
        var events = new TestProbe<string>();
        var actor = system.Spawn<string>("sleeper", () => new SleeperActor(events));
        actor.Tell("sleep");
        Assert.Equal("sleeping", await events.ExpectMessageAsync(Within));

        await system.StopAsync(actor).AsTask().WaitAsync(Within);

        Assert.Equal("cancelled", await events.ExpectMessageAsync(Within));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task ScheduleTellOnce_BeforeAdvance_NotDeliveredThenDeliveredOnDueTime()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var actor = system.Spawn<string>("timer", () => new TimerActor(events));

        actor.Tell("schedule 5000 tick");
        Assert.Equal("scheduled", await events.ExpectMessageAsync(Within));
        Assert.Equal(TimeSpan.FromSeconds(5), time.NextDue);
        time.Advance(TimeSpan.FromMilliseconds(4999));
        await events.ExpectNoMessageAsync(Short);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("tick", await events.ExpectMessageAsync(Within));
        Assert.Equal(0, time.PendingTimers);
    }

    [Fact]
    public async Task ScheduleTellOnce_Cancelled_NeverDelivered()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var actor = system.Spawn<string>("timer", () => new TimerActor(events));
        actor.Tell("schedule 1000 tick");
        Assert.Equal("scheduled", await events.ExpectMessageAsync(Within));

        actor.Tell("cancel");
        Assert.Equal("cancelled True", await events.ExpectMessageAsync(Within));
        time.Advance(TimeSpan.FromSeconds(2));

        await events.ExpectNoMessageAsync(Short);
        Assert.Equal(0, time.PendingTimers);
    }

    [Fact]
    public async Task ScheduleTellOnce_ActorRestarts_PendingTellCancelled()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var strategy = SupervisorStrategy.Default with { MinBackoff = TimeSpan.Zero };
        var actor = system.Spawn<string>("timer", () => new TimerActor(events), strategy: strategy);
        actor.Tell("schedule 1000 tick");
        Assert.Equal("scheduled", await events.ExpectMessageAsync(Within));

        actor.Tell("fail");
        actor.Tell("ping");
        Assert.Equal("ping", await events.ExpectMessageAsync(Within));
        time.Advance(TimeSpan.FromSeconds(2));

        await events.ExpectNoMessageAsync(Short);
    }

    [Fact]
    public async Task Spawn_Child_PathUnderParentAndNameReusableAfterStop()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var parent = system.Spawn<string>("parent", () => new SpawnerActor(events));

        parent.Tell("spawn kid");
        Assert.Equal("spawned /parent/kid", await events.ExpectMessageAsync(Within));
        parent.Tell("spawn kid");
        Assert.Equal(nameof(InvalidOperationException), await events.ExpectMessageAsync(Within));
        parent.Tell("stop kid");
        Assert.Equal("stopped", await events.ExpectMessageAsync(Within));
        parent.Tell("spawn kid");

        Assert.Equal("spawned /parent/kid", await events.ExpectMessageAsync(Within));
    }

    [Fact]
    public async Task Stop_ActorThatIsNotAChild_ThrowsArgumentException()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var strangerEvents = new TestProbe<string>();
        var stranger = system.Spawn<string>("stranger", () => new HookActor(strangerEvents));
        var parent = system.Spawn<string>("parent", () => new SpawnerActor(events, stranger));
        Assert.Equal("prestart /stranger", await strangerEvents.ExpectMessageAsync(Within));

        parent.Tell("stop stranger");
        Assert.Equal(nameof(ArgumentException), await events.ExpectMessageAsync(Within));
        stranger.Tell("alive");

        Assert.Equal("alive", await strangerEvents.ExpectMessageAsync(Within));
    }

    private interface ICollect
    {
    }

    private sealed record Item(int N) : ICollect;

    private sealed record GetAll(IReplyTo<int[]> ReplyTo) : ICollect;

    private sealed class Collector : Actor<ICollect>
    {
        private readonly List<int> _items = [];

        protected override ValueTask HandleAsync(ICollect message, CancellationToken cancellationToken)
        {
            switch (message)
            {
                case Item item:
                    _items.Add(item.N);
                    break;
                case GetAll get:
                    get.ReplyTo.Reply([.. _items]);
                    break;
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class HookActor(TestProbe<string> events) : Actor<string>
    {
        protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
        {
            events.Tell("prestart " + Context.Path);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
        {
            events.Tell("poststop");
            return ValueTask.CompletedTask;
        }

        protected override ValueTask HandleAsync(string message, CancellationToken cancellationToken)
        {
            events.Tell(message);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ContextInConstructorActor : Actor<string>
    {
        public ContextInConstructorActor(TestProbe<string> errors)
        {
            try
            {
                _ = Context.Path;
                errors.Tell("no error");
            }
            catch (InvalidOperationException ex)
            {
                errors.Tell(ex.GetType().Name);
            }
        }

        protected override ValueTask HandleAsync(string message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class QuitterActor(TestProbe<string> events, Task gate) : Actor<string>
    {
        protected override async ValueTask HandleAsync(string message, CancellationToken cancellationToken)
        {
            events.Tell(message);
            if (message == "quit")
            {
                await gate;
                Context.StopSelf();
            }
        }

        protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
        {
            events.Tell("poststop");
            return ValueTask.CompletedTask;
        }
    }

    private sealed class SleeperActor(TestProbe<string> events) : Actor<string>
    {
        protected override async ValueTask HandleAsync(string message, CancellationToken cancellationToken)
        {
            events.Tell("sleeping");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                events.Tell("cancelled");
                throw;
            }
        }
    }

    private sealed class TimerActor(TestProbe<string> events) : Actor<string>
    {
        private ScheduledTell? _pending;

        protected override ValueTask HandleAsync(string message, CancellationToken cancellationToken)
        {
            var parts = message.Split(' ');
            switch (parts[0])
            {
                case "schedule":
                    _pending = Context.ScheduleTellOnce(TimeSpan.FromMilliseconds(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)), parts[2]);
                    events.Tell("scheduled");
                    break;
                case "cancel":
                    events.Tell("cancelled " + _pending!.Cancel());
                    break;
                case "fail":
                    throw new InvalidOperationException("boom");
                default:
                    events.Tell(message);
                    break;
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class SpawnerActor(TestProbe<string> events, IActorRef? stranger = null) : Actor<string>
    {
        private IActorRef<string>? _kid;

        protected override async ValueTask HandleAsync(string message, CancellationToken cancellationToken)
        {
            try
            {
                switch (message)
                {
                    case "spawn kid":
                        _kid = Context.Spawn<string>("kid", () => new HookActor(new TestProbe<string>()));
                        events.Tell("spawned " + _kid.Path);
                        break;
                    case "stop kid":
                        Context.Stop(_kid!);
                        await Context.System.WhenTerminated(_kid!);
                        events.Tell("stopped");
                        break;
                    case "stop stranger":
                        Context.Stop(stranger!);
                        events.Tell("no error");
                        break;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                events.Tell(ex.GetType().Name);
            }
        }
    }
}
