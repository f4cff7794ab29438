using Isg.Actors.Runtime;
using Isg.TestKit;

namespace Isg.Actors.Tests.Runtime;

public sealed class MailboxOptionsTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task TellAsync_WaitModeFull_BlocksUntilSpaceFrees()
    {
        await using var system = new ActorSystem("test");
        var (actor, gate, started) = await SpawnGatedAsync(system, new MailboxOptions { Capacity = 2 });

        await actor.TellAsync(1, CancellationToken.None);
        await actor.TellAsync(2, CancellationToken.None);
        var blocked = actor.TellAsync(3, CancellationToken.None).AsTask();
        await started.ExpectNoMessageAsync(Short);
        Assert.False(blocked.IsCompleted);
        gate.SetResult();
        await blocked.WaitAsync(Within);

        Assert.Equal(1, await started.ExpectMessageAsync(Within));
        Assert.Equal(2, await started.ExpectMessageAsync(Within));
        Assert.Equal(3, await started.ExpectMessageAsync(Within));
        Assert.Equal(0, system.DeadLetters.Count);
    }

    [Fact]
    public async Task TellAsync_WaitModeFullThenCancelled_ThrowsAndDoesNotDeliver()
    {
        await using var system = new ActorSystem("test");
        var (actor, gate, started) = await SpawnGatedAsync(system, new MailboxOptions { Capacity = 1 });
        await actor.TellAsync(1, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var blocked = actor.TellAsync(2, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(Within));
        gate.SetResult();
        Assert.Equal(1, await started.ExpectMessageAsync(Within));
        await started.ExpectNoMessageAsync(Short);
    }

    [Fact]
    public async Task TryTell_WaitModeFull_ReturnsFalseAndDeadLetters()
    {
        await using var system = new ActorSystem("test");
        var (actor, gate, _) = await SpawnGatedAsync(system, new MailboxOptions { Capacity = 1 });

        Assert.True(actor.TryTell(1));
        Assert.False(actor.TryTell(2));

        Assert.Equal(1, system.DeadLetters.CountOf(DeadLetterReason.MailboxFull));
        gate.SetResult();
    }

    [Fact]
    public async Task Tell_WaitModeFull_QueuesBehindInOrderWithoutDropping()
    {
        await using var system = new ActorSystem("test");
        var (actor, gate, started) = await SpawnGatedAsync(system, new MailboxOptions { Capacity = 2 });

        for (var i = 1; i <= 6; i++)
        {
            actor.Tell(i);
        }

        gate.SetResult();
        for (var i = 1; i <= 6; i++)
        {
            Assert.Equal(i, await started.ExpectMessageAsync(Within));
        }

        Assert.Equal(0, system.DeadLetters.Count);
    }

    [Fact]
    public async Task TryTell_DropNewestOverflow_NewMessageDeadLettered()
    {
        await using var system = new ActorSystem("test");
        var dropped = new TestProbe<DeadLetter>();
        system.DeadLetters.Published += (_, letter) => dropped.Tell(letter);
        var (actor, gate, started) = await SpawnGatedAsync(system, new MailboxOptions { Capacity = 2, FullMode = MailboxFullMode.DropNewest });

        Assert.True(actor.TryTell(1));
        Assert.True(actor.TryTell(2));
        Assert.False(actor.TryTell(3));
        actor.Tell(4);
        await actor.TellAsync(5, CancellationToken.None);
        gate.SetResult();

        Assert.Equal(1, await started.ExpectMessageAsync(Within));
        Assert.Equal(2, await started.ExpectMessageAsync(Within));
        await started.ExpectNoMessageAsync(Short);
        Assert.Equal(3, system.DeadLetters.CountOf(DeadLetterReason.MailboxFull));
        Assert.Equal([3, 4, 5], dropped.Received.Select(d => (int)d.Message));
        Assert.All(dropped.Received, d => Assert.Equal("/gated", d.Recipient));
    }

    [Fact]
    public async Task TryTell_DropOldestOverflow_OldestDeadLettered()
    {
        await using var system = new ActorSystem("test");
        var dropped = new TestProbe<DeadLetter>();
        system.DeadLetters.Published += (_, letter) => dropped.Tell(letter);
        var (actor, gate, started) = await SpawnGatedAsync(system, new MailboxOptions { Capacity = 2, FullMode = MailboxFullMode.DropOldest });

        Assert.True(actor.TryTell(1));
        Assert.True(actor.TryTell(2));
        Assert.True(actor.TryTell(3));
        gate.SetResult();

        Assert.Equal(2, await started.ExpectMessageAsync(Within));
        Assert.Equal(3, await started.ExpectMessageAsync(Within));
        var letter = await dropped.ExpectMessageAsync(Within);
        Assert.Equal(1, letter.Message);
        Assert.Equal(DeadLetterReason.MailboxFull, letter.Reason);
    }

    [Fact]
    public async Task SystemMessages_UserMailboxFull_StillDelivered()
    {
        await using var system = new ActorSystem("test");
        var (actor, gate, _) = await SpawnGatedAsync(system, new MailboxOptions { Capacity = 1, FullMode = MailboxFullMode.DropNewest });
        Assert.True(actor.TryTell(1));
        Assert.False(actor.TryTell(2));

        var stopping = system.StopAsync(actor).AsTask();
        gate.SetResult();

        await stopping.WaitAsync(Within);
        Assert.True(system.WhenTerminated(actor).IsCompleted);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_NonPositiveCapacity_Throws(int capacity)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MailboxOptions { Capacity = capacity }.Validate());
    }

    [Fact]
    public async Task Spawn_InvalidMailbox_Throws()
    {
        await using var system = new ActorSystem("test");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SpawnGatedAsync(system, new MailboxOptions { FullMode = (MailboxFullMode)42 }));
    }

    /// <summary>An actor that reports each message's start and then waits on a gate the test opens; the first message (0) is already in hand.</summary>
    private static async Task<(IActorRef<int> Actor, TaskCompletionSource Gate, TestProbe<int> Started)> SpawnGatedAsync(ActorSystem system, MailboxOptions mailbox)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TestProbe<int>();
        var inHand = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = system.Spawn<int>("gated", () => new GatedActor(gate.Task, started, inHand), mailbox);
        actor.Tell(0);
        await inHand.Task.WaitAsync(Within);
        return (actor, gate, started);
    }

    private sealed class GatedActor(Task gate, TestProbe<int> started, TaskCompletionSource inHand) : Actor<int>
    {
        protected override async ValueTask HandleAsync(int message, CancellationToken cancellationToken)
        {
            if (message == 0)
            {
                inHand.SetResult();
            }
            else
            {
                started.Tell(message);
            }

            await gate;
        }
    }
}
