using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Backends.Resilience;
using Isg.Actors.Catalog;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.Resilience;

public sealed class BackendStackTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private const string Object = "0123456789abcdef0123";
    private readonly ManualTimeProvider _time = new();
    private readonly ScriptedBackend _inner = new();

    [Fact]
    public void Wrap_ComposesMetricsBreakerRetryRateLimitInThatOrder()
    {
        var stack = BackendStack.Wrap(_inner, BackendStackOptions.ForType("discord"), _time, NullLogger.Instance);

        var breaker = Assert.IsType<CircuitBreakingBackend>(stack.Inner);
        var retry = Assert.IsType<RetryingBackend>(breaker.Inner);
        var limit = Assert.IsType<RateLimitedBackend>(retry.Inner);
        Assert.Same(_inner, limit.Inner);
        Assert.Equal(_inner.Name, stack.Name);
        Assert.Same(_inner.Capabilities, stack.Capabilities);
    }

    [Fact]
    public void Wrap_NoLimitNoBreaker_LeavesThemOut()
    {
        var stack = BackendStack.Wrap(_inner, new BackendStackOptions { CircuitBreaker = new CircuitBreakerOptions { Enabled = false } }, _time, NullLogger.Instance);

        var retry = Assert.IsType<RetryingBackend>(stack.Inner);
        Assert.Same(_inner, retry.Inner);
    }

    [Theory]
    [InlineData("ipfs")]
    [InlineData("s3")]
    [InlineData("youtube")]
    [InlineData("discord")]
    [InlineData("telegram")]
    [InlineData("something-else")]
    public void ForType_EveryPlatform_HasValidDefaults(string type) => BackendStackOptions.ForType(type).Validate();

    [Fact]
    public void Wrap_InvalidOptions_Throw() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            BackendStack.Wrap(_inner, new BackendStackOptions { Retry = new RetryOptions { MaxAttempts = 0 } }, _time, NullLogger.Instance));

    [Fact]
    public async Task Metrics_RetriedFailuresThenOpenCircuit_ShowInTheSnapshot()
    {
        _inner.Script = (_, _) => Task.FromException(new IOException("down"));
        var options = new BackendStackOptions
        {
            Retry = new RetryOptions { MaxAttempts = 2, UseJitter = false, BaseDelay = TimeSpan.FromSeconds(1), AttemptTimeout = Timeout.InfiniteTimeSpan },
            CircuitBreaker = new CircuitBreakerOptions { ConsecutiveFailures = 2, BreakDuration = TimeSpan.FromMinutes(1) },
        };
        var stack = BackendStack.Wrap(_inner, options, _time, NullLogger.Instance);

        for (var i = 0; i < 2; i++)
        {
            var put = stack.PutAsync(Object, new byte[] { 1 }, CancellationToken.None);
            await _time.WaitForPendingTimersAsync(1, Within);
            _time.Advance(TimeSpan.FromSeconds(1));
            await Assert.ThrowsAsync<IOException>(() => put.WaitAsync(Within));
        }

        var fastFailure = await Assert.ThrowsAsync<BackendException>(() => stack.PutAsync(Object, new byte[] { 1 }, CancellationToken.None));
        var snapshot = BackendStack.Metrics(stack)!;

        Assert.Equal(BackendFailureKind.Transient, fastFailure.Kind);
        Assert.Equal(4, _inner.Calls("put"));
        Assert.Equal(3, snapshot.Calls);
        Assert.Equal(3, snapshot.FailuresByKind[BackendFailureKind.Transient]);
        Assert.Equal(CircuitState.Open, snapshot.Circuit);
        Assert.Equal("open", snapshot.Health);
    }

    [Fact]
    public void Metrics_UnwrappedBackend_IsNull() => Assert.Null(BackendStack.Metrics(_inner));

    [Fact]
    public void BackendFactoryOpen_LocalBackend_StaysUnwrapped()
    {
        using var dir = new TempDirectory();
        var record = new BackendRecord("b2", BackendFactory.LocalType, BackendFactory.LocalSettings(dir.Combine("b2")), DateTimeOffset.UnixEpoch);

        using var backend = (IDisposable)BackendFactory.Open(record, dir.Path, NullLoggerFactory.Instance);

        Assert.IsType<LocalBlockStore>(backend);
    }

    [Fact]
    public async Task Dispose_DisposesTheInnerBackend()
    {
        using var dir = new TempDirectory();
        var local = new LocalBlockStore(new LocalBlockStoreOptions(dir.Path));
        var stack = BackendStack.Wrap(local, BackendStackOptions.Default, _time, NullLogger.Instance);

        await stack.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => local.PutAsync(Object, new byte[] { 1 }, CancellationToken.None));
    }
}
