using Isg.Actors.Backends;
using Isg.Actors.Backends.Resilience;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.Resilience;

public sealed class CircuitBreakingBackendTests
{
    private const string Object = "0123456789abcdef0123";
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);
    private readonly ManualTimeProvider _time = new();
    private readonly ScriptedBackend _inner = new();
    private bool _failing;

    private static readonly CircuitBreakerOptions Options = new()
    {
        ConsecutiveFailures = 3,
        FailureRatio = 0,
        BreakDuration = Break,
    };

    public CircuitBreakingBackendTests() =>
        _inner.Script = (_, _) => _failing ? Task.FromException(new IOException("down")) : Task.CompletedTask;

    private CircuitBreakingBackend Create(CircuitBreakerOptions? options = null) => new(_inner, options ?? Options, _time, NullLogger.Instance);

    private static Task PutAsync(IStorageBackend backend) => backend.PutAsync(Object, new byte[] { 1 }, CancellationToken.None);

    private async Task FailTimesAsync(IStorageBackend backend, int times)
    {
        _failing = true;
        for (var i = 0; i < times; i++)
        {
            await Assert.ThrowsAsync<IOException>(() => PutAsync(backend));
        }
    }

    [Fact]
    public async Task PutAsync_ConsecutiveTransientFailures_OpenTheCircuitAndFailFast()
    {
        var backend = Create();
        await FailTimesAsync(backend, 3);

        Assert.Equal(CircuitState.Open, backend.State);
        var error = await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync(Object, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.Equal(Break, error.RetryAfter);
        Assert.Equal(3, _inner.Calls("put"));
        Assert.Equal(0, _inner.Calls("get"));
    }

    [Fact]
    public async Task PutAsync_FewerFailuresThanTheThreshold_StaysClosed()
    {
        var backend = Create();
        await FailTimesAsync(backend, 2);
        _failing = false;
        await PutAsync(backend);
        await FailTimesAsync(backend, 2);

        Assert.Equal(CircuitState.Closed, backend.State);
    }

    [Fact]
    public async Task GetAsync_NonTransientFailures_DoNotOpen()
    {
        var backend = Create();

        for (var i = 0; i < 10; i++)
        {
            var error = await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync(Object, CancellationToken.None));
            Assert.Equal(BackendFailureKind.NotFound, error.Kind);
        }

        Assert.Equal(CircuitState.Closed, backend.State);
    }

    [Fact]
    public async Task PutAsync_AfterTheBreak_ProbeSuccessClosesTheCircuit()
    {
        var backend = Create();
        await FailTimesAsync(backend, 3);

        _time.Advance(Break - TimeSpan.FromSeconds(1));
        var early = await Assert.ThrowsAsync<BackendException>(() => PutAsync(backend));
        Assert.Equal(TimeSpan.FromSeconds(1), early.RetryAfter);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CircuitState.HalfOpen, backend.State);

        _failing = false;
        await PutAsync(backend);

        Assert.Equal(CircuitState.Closed, backend.State);
        Assert.Equal(4, _inner.Calls("put"));
    }

    [Fact]
    public async Task PutAsync_AfterTheBreak_ProbeFailureReopens()
    {
        var backend = Create();
        await FailTimesAsync(backend, 3);
        _time.Advance(Break);

        await Assert.ThrowsAsync<IOException>(() => PutAsync(backend));

        Assert.Equal(CircuitState.Open, backend.State);
        var error = await Assert.ThrowsAsync<BackendException>(() => PutAsync(backend));
        Assert.Equal(Break, error.RetryAfter);
        Assert.Equal(4, _inner.Calls("put"));
    }

    [Fact]
    public async Task PutAsync_HalfOpen_OnlyOneProbeAtATime()
    {
        var backend = Create();
        await FailTimesAsync(backend, 3);
        _time.Advance(Break);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.Script = (_, _) => hold.Task;

        var probe = PutAsync(backend);
        var second = await Assert.ThrowsAsync<BackendException>(() => PutAsync(backend));
        hold.SetResult();
        await probe;

        Assert.Equal(BackendFailureKind.Transient, second.Kind);
        Assert.Equal(CircuitState.Closed, backend.State);
        Assert.Equal(4, _inner.Calls("put"));
    }

    [Fact]
    public async Task PutAsync_ProbeCancelledByTheCaller_LetsTheNextCallProbe()
    {
        var backend = Create();
        await FailTimesAsync(backend, 3);
        _time.Advance(Break);
        _failing = false;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.PutAsync(Object, new byte[] { 1 }, new CancellationToken(canceled: true)));
        await PutAsync(backend);

        Assert.Equal(CircuitState.Closed, backend.State);
    }

    [Fact]
    public async Task PutAsync_FailureRatioInTheWindow_Opens()
    {
        var backend = Create(new CircuitBreakerOptions { ConsecutiveFailures = 100, FailureRatio = 0.5, MinimumThroughput = 10, SamplingDuration = TimeSpan.FromMinutes(1) });

        // Alternating failures never reach the consecutive threshold; half of ten calls reaches the ratio.
        for (var i = 0; i < 10; i++)
        {
            _failing = i % 2 == 1;
            if (_failing)
            {
                await Assert.ThrowsAsync<IOException>(() => PutAsync(backend));
            }
            else
            {
                await PutAsync(backend);
            }
        }

        Assert.Equal(CircuitState.Open, backend.State);
    }

    [Fact]
    public async Task PutAsync_FailureRatioSpreadOverWindows_StaysClosed()
    {
        var backend = Create(new CircuitBreakerOptions { ConsecutiveFailures = 100, FailureRatio = 0.5, MinimumThroughput = 10, SamplingDuration = TimeSpan.FromMinutes(1) });

        for (var i = 0; i < 20; i++)
        {
            _failing = i % 2 == 1;
            if (_failing)
            {
                await Assert.ThrowsAsync<IOException>(() => PutAsync(backend));
            }
            else
            {
                await PutAsync(backend);
            }

            _time.Advance(TimeSpan.FromSeconds(20));
        }

        Assert.Equal(CircuitState.Closed, backend.State);
    }

    [Fact]
    public async Task ListAsync_Failures_CountLikeOtherCalls()
    {
        var backend = Create();
        _failing = true;

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<IOException>(async () =>
            {
                await foreach (var name in backend.ListAsync(CancellationToken.None))
                {
                    Assert.Fail(name);
                }
            });
        }

        Assert.Equal(CircuitState.Open, backend.State);
    }
}
