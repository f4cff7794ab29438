using Isg.Actors.Runtime;
using Isg.TestKit;

namespace Isg.Actors.Tests.Runtime;

public sealed class RoutingStrategyTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RoundRobin_NineMessagesThreeRoutees_ThreeEach()
    {
        await using var system = new ActorSystem("test");
        var handled = new TestProbe<Handled>();
        var pool = system.SpawnPool<IWork>("encoders", () => new Worker(handled), 3, RoutingStrategy.RoundRobin);

        for (var i = 0; i < 9; i++)
        {
            pool.Tell(new Job(i));
        }

        for (var i = 0; i < 9; i++)
        {
            await handled.ExpectMessageAsync(Within);
        }

        var perRoutee = handled.Received.GroupBy(h => h.Routee.Path).ToDictionary(g => g.Key, g => g.Select(h => h.Job).ToArray());
        Assert.Equal(["/encoders/$0", "/encoders/$1", "/encoders/$2"], perRoutee.Keys.Order());
        Assert.All(perRoutee.Values, jobs => Assert.Equal(3, jobs.Length));
        Assert.Equal([0, 3, 6], perRoutee["/encoders/$0"].Order());
    }

    [Fact]
    public async Task LeastBusy_OneRouteeBlocked_NewWorkAvoidsIt()
    {
        await using var system = new ActorSystem("test");
        var handled = new TestProbe<Handled>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pool = system.SpawnPool<IWork>("encoders", () => new Worker(handled), 3, RoutingStrategy.LeastBusy);
        pool.Tell(new Hold(-1, release.Task));
        var blocked = (await handled.ExpectMessageAsync(Within)).Routee;

        // Three more messages straight into the blocked routee's mailbox: its load is 4, stable while it waits.
        for (var i = 0; i < 3; i++)
        {
            blocked.Tell(new Hold(-1, release.Task));
        }

        // The other two routees also hold their work, so their loads only grow: 6 jobs can never bring both to 4.
        for (var i = 0; i < 6; i++)
        {
            pool.Tell(new Hold(i, release.Task));
        }

        var jobs = new List<Handled>();
        for (var i = 0; i < 2; i++)
        {
            jobs.Add(await handled.ExpectMessageAsync(Within));
        }

        release.SetResult();
        while (jobs.Count(h => h.Job >= 0) < 6)
        {
            jobs.Add(await handled.ExpectMessageAsync(Within));
        }

        Assert.DoesNotContain(jobs, h => h.Job >= 0 && ReferenceEquals(h.Routee, blocked));
        Assert.Equal(Enumerable.Range(0, 6), jobs.Where(h => h.Job >= 0).Select(h => h.Job).Order());
    }

    [Fact]
    public async Task LeastBusy_AllIdle_TiesRotate()
    {
        await using var system = new ActorSystem("test");
        var handled = new TestProbe<Handled>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pool = system.SpawnPool<IWork>("encoders", () => new Worker(handled), 2, RoutingStrategy.LeastBusy);

        pool.Tell(new Hold(0, release.Task));
        pool.Tell(new Hold(1, release.Task));
        var first = await handled.ExpectMessageAsync(Within);
        var second = await handled.ExpectMessageAsync(Within);
        release.SetResult();

        Assert.NotEqual(first.Routee.Path, second.Routee.Path);
    }

    [Fact]
    public async Task Routee_Throws_RestartedByPoolAndPoolKeepsRouting()
    {
        await using var system = new ActorSystem("test");
        var handled = new TestProbe<Handled>();
        var pool = system.SpawnPool<IWork>(
            "encoders",
            () => new Worker(handled),
            2,
            RoutingStrategy.RoundRobin,
            routeeStrategy: SupervisorStrategy.Default with { MinBackoff = TimeSpan.Zero });

        pool.Tell(new Fail());
        for (var i = 0; i < 4; i++)
        {
            pool.Tell(new Job(i));
        }

        for (var i = 0; i < 4; i++)
        {
            await handled.ExpectMessageAsync(Within);
        }

        Assert.Equal(2, handled.Received.Select(h => h.Routee.Path).Distinct().Count());
        Assert.False(system.WhenTerminated(pool).IsCompleted);
    }

    [Fact]
    public async Task Pool_AllRouteesStoppedForGood_PoolStopsAndDeadLetters()
    {
        await using var system = new ActorSystem("test");
        var handled = new TestProbe<Handled>();
        var pool = system.SpawnPool<IWork>("encoders", () => new Worker(handled), 2, RoutingStrategy.RoundRobin, routeeStrategy: SupervisorStrategy.Stopping);

        pool.Tell(new Fail());
        pool.Tell(new Fail());
        var terminated = await system.WhenTerminated(pool).WaitAsync(Within);

        Assert.Equal("boom", terminated.Cause?.Message);
        Assert.False(pool.TryTell(new Job(1)));
        Assert.Equal(1, system.DeadLetters.CountOf(DeadLetterReason.Stopped));
    }

    [Fact]
    public async Task StopAsync_Pool_RouteesStopFirst()
    {
        await using var system = new ActorSystem("test");
        var handled = new TestProbe<Handled>();
        var pool = system.SpawnPool<IWork>("encoders", () => new Worker(handled), 2, RoutingStrategy.RoundRobin);
        pool.Tell(new Job(0));
        var routee = (await handled.ExpectMessageAsync(Within)).Routee;

        await system.StopAsync(pool);

        Assert.True(system.WhenTerminated(routee).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task SpawnPool_BadSize_Throws()
    {
        await using var system = new ActorSystem("test");

        Assert.Throws<ArgumentOutOfRangeException>(() => system.SpawnPool<IWork>("p", () => new Worker(new TestProbe<Handled>()), 0, RoutingStrategy.RoundRobin));
        Assert.Throws<ArgumentOutOfRangeException>(() => system.SpawnPool<IWork>("p", () => new Worker(new TestProbe<Handled>()), 1, (RoutingStrategy)7));
        Assert.Empty(system.TopLevelActors);
    }

    [Fact]
    public async Task TellAsync_PoolRouteeFull_WaitsForSpace()
    {
        await using var system = new ActorSystem("test");
        var handled = new TestProbe<Handled>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pool = system.SpawnPool<IWork>("encoders", () => new Worker(handled), 1, RoutingStrategy.RoundRobin, new MailboxOptions { Capacity = 1 });
        await pool.TellAsync(new Hold(0, release.Task), CancellationToken.None);
        await handled.ExpectMessageAsync(Within);
        await pool.TellAsync(new Hold(1, release.Task), CancellationToken.None);

        var waiting = pool.TellAsync(new Hold(2, release.Task), CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        release.SetResult();

        await waiting.WaitAsync(Within);
        Assert.Equal(1, (await handled.ExpectMessageAsync(Within)).Job);
        Assert.Equal(2, (await handled.ExpectMessageAsync(Within)).Job);
    }

    private interface IWork
    {
    }

    private sealed record Job(int Id) : IWork;

    private sealed record Hold(int Id, Task Release) : IWork;

    private sealed record Fail : IWork;

    private sealed record Handled(IActorRef<IWork> Routee, int Job);

    private sealed class Worker(TestProbe<Handled> handled) : Actor<IWork>
    {
        protected override async ValueTask HandleAsync(IWork message, CancellationToken cancellationToken)
        {
            switch (message)
            {
                case Job job:
                    handled.Tell(new Handled(Context.Self, job.Id));
                    break;
                case Hold hold:
                    handled.Tell(new Handled(Context.Self, hold.Id));
                    await hold.Release;
                    break;
                case Fail:
                    throw new InvalidOperationException("boom");
            }
        }
    }
}
