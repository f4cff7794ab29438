using BenchmarkDotNet.Attributes;
using Isg.Actors.Runtime;

namespace Isg.Benchmarks;

/// <summary>Runtime overhead per message: tell throughput into one actor and through a pool, and ask round trips.</summary>
[MemoryDiagnoser]
public class ActorBenchmarks
{
    private const int Messages = 100_000;
    private const int Asks = 1_000;

    private ActorSystem _system = null!;
    private IActorRef<Bench> _counter = null!;
    private IActorRef<Bench> _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = new ActorSystem("bench");
        _counter = _system.Spawn<Bench>("counter", () => new Counter());
        _pool = _system.SpawnPool<Bench>("pool", () => new Counter(), 2, RoutingStrategy.RoundRobin);
    }

    [GlobalCleanup]
    public void Cleanup() => _system.ShutdownAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task TellAsyncIntoOneActor()
    {
        for (var i = 0; i < Messages; i++)
        {
            await _counter.TellAsync(new Bench(null), CancellationToken.None);
        }

        await _counter.AskAsync<Bench, int>(reply => new Bench(reply), Timeout.InfiniteTimeSpan, CancellationToken.None);
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task TellAsyncThroughRoundRobinPool()
    {
        for (var i = 0; i < Messages; i++)
        {
            await _pool.TellAsync(new Bench(null), CancellationToken.None);
        }

        await _pool.AskAsync<Bench, int>(reply => new Bench(reply), Timeout.InfiniteTimeSpan, CancellationToken.None);
        await _pool.AskAsync<Bench, int>(reply => new Bench(reply), Timeout.InfiniteTimeSpan, CancellationToken.None);
    }

    [Benchmark(OperationsPerInvoke = Asks)]
    public async Task AskRoundTrip()
    {
        for (var i = 0; i < Asks; i++)
        {
            await _counter.AskAsync<Bench, int>(reply => new Bench(reply), Timeout.InfiniteTimeSpan, CancellationToken.None);
        }
    }

    /// <summary>A message: counted when <paramref name="Reply"/> is null, answered with the count otherwise.</summary>
    public readonly record struct Bench(IReplyTo<int>? Reply);

    private sealed class Counter : Actor<Bench>
    {
        private int _count;

        protected override ValueTask HandleAsync(Bench message, CancellationToken cancellationToken)
        {
            _count++;
            message.Reply?.Reply(_count);
            return ValueTask.CompletedTask;
        }
    }
}
