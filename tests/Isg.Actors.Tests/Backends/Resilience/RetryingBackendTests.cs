using Isg.Actors.Backends;
using Isg.Actors.Backends.Resilience;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.Resilience;

public sealed class RetryingBackendTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private const string Object = "0123456789abcdef0123";
    private readonly ManualTimeProvider _time = new();
    private readonly ScriptedBackend _inner = new();

    private static readonly RetryOptions NoJitter = new()
    {
        MaxAttempts = 4,
        BaseDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(30),
        MaxRetryAfter = TimeSpan.FromMinutes(5),
        UseJitter = false,
        AttemptTimeout = Timeout.InfiniteTimeSpan,
    };

    private RetryingBackend Create(RetryOptions? options = null) => new(_inner, options ?? NoJitter, _time, NullLogger.Instance);

    private static Task Fail(Exception exception) => Task.FromException(exception);

    private static BackendException Transient(TimeSpan? retryAfter = null) =>
        new(BackendFailureKind.Transient, "scripted", "busy") { RetryAfter = retryAfter };

    /// <summary>Waits for the backoff timer, checks its delay and lets it fire.</summary>
    private async Task AdvanceAsync(TimeSpan expected)
    {
        await _time.WaitForPendingTimersAsync(1, Within);
        Assert.Equal(expected, _time.NextDue);
        _time.Advance(expected);
    }

    [Fact]
    public async Task PutAsync_TransientFailures_RetriesWithExponentialBackoffThenSucceeds()
    {
        _inner.Script = (op, n) => op == "put" && n <= 3 ? Fail(new IOException("connection reset")) : Task.CompletedTask;
        var backend = Create();

        var put = backend.PutAsync(Object, new byte[] { 1, 2, 3 }, CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        await AdvanceAsync(TimeSpan.FromSeconds(4));
        await put.WaitAsync(Within);

        Assert.Equal(4, _inner.Calls("put"));
        Assert.True(await backend.ExistsAsync(Object, CancellationToken.None).WaitAsync(Within));
    }

    [Fact]
    public async Task GetAsync_RetryAfter_WaitsExactlyThatLong()
    {
        await _inner.PutAsync(Object, new byte[] { 9 }, CancellationToken.None);
        _inner.Script = (op, n) => n == 1 ? Fail(Transient(TimeSpan.FromSeconds(7))) : Task.CompletedTask;
        var backend = Create();

        var get = backend.GetAsync(Object, CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(7));
        using var owner = await get.WaitAsync(Within);

        Assert.Equal(new byte[] { 9 }, owner.Memory.ToArray());
        Assert.Equal(2, _inner.Calls("get"));
    }

    [Fact]
    public async Task PutAsync_RetryAfterBeyondTheCap_WaitsOnlyTheCap()
    {
        _inner.Script = (op, n) => n == 1 ? Fail(new BackendException(BackendFailureKind.QuotaExceeded, "scripted", "quota") { RetryAfter = TimeSpan.FromHours(20) }) : Task.CompletedTask;
        var backend = Create(NoJitter with { MaxRetryAfter = TimeSpan.FromMinutes(3) });

        var put = backend.PutAsync(Object, new byte[] { 1 }, CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromMinutes(3));
        await put.WaitAsync(Within);

        Assert.Equal(2, _inner.Calls("put"));
    }

    [Fact]
    public async Task PutAsync_AlwaysTransient_GivesUpAfterMaxAttempts()
    {
        _inner.Script = (_, _) => Fail(new IOException("down"));
        var backend = Create(NoJitter with { MaxAttempts = 3 });

        var put = backend.PutAsync(Object, new byte[] { 1 }, CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        var error = await Assert.ThrowsAsync<IOException>(() => put.WaitAsync(Within));

        Assert.Equal("down", error.Message);
        Assert.Equal(3, _inner.Calls("put"));
        Assert.Equal(0, _time.PendingTimers);
        Assert.Equal(BackendFailureKind.Transient, backend.Classify(error));
    }

    [Theory]
    [InlineData(BackendFailureKind.Permanent)]
    [InlineData(BackendFailureKind.NotFound)]
    [InlineData(BackendFailureKind.Unauthorized)]
    public async Task PutAsync_NonRetryableKind_ThrowsAtOnce(BackendFailureKind kind)
    {
        _inner.Script = (_, _) => Fail(new BackendException(kind, "scripted", "no"));
        var backend = Create();

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(Object, new byte[] { 1 }, CancellationToken.None).WaitAsync(Within));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(1, _inner.Calls("put"));
        Assert.Equal(0, _time.PendingTimers);
    }

    [Fact]
    public async Task PutAsync_ExceptionTheInnerBackendClassifiesPermanent_IsNotRetried()
    {
        _inner.Script = (_, _) => Fail(new InvalidDataException("bad request"));
        var backend = Create();

        await Assert.ThrowsAsync<InvalidDataException>(() => backend.PutAsync(Object, new byte[] { 1 }, CancellationToken.None).WaitAsync(Within));

        Assert.Equal(1, _inner.Calls("put"));
        Assert.Equal(BackendFailureKind.Permanent, backend.Classify(new InvalidDataException()));
    }

    [Fact]
    public async Task PutAsync_WithJitter_DelaysStayWithinTheCap()
    {
        _inner.Script = (op, n) => op == "put" && n <= 5 ? Fail(new IOException("reset")) : Task.CompletedTask;
        var backend = Create(NoJitter with { UseJitter = true, MaxAttempts = 6, MaxDelay = TimeSpan.FromSeconds(3) });

        var put = backend.PutAsync(Object, new byte[] { 1 }, CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await _time.WaitForPendingTimersAsync(1, Within);
            var due = _time.NextDue!.Value;
            Assert.InRange(due, TimeSpan.Zero, TimeSpan.FromSeconds(3));
            _time.Advance(due);
        }

        await put.WaitAsync(Within);
        Assert.Equal(6, _inner.Calls("put"));
    }

    [Fact]
    public async Task GetAsync_HangingBackend_AttemptTimesOutAndTheLateBufferIsDisposed()
    {
        await _inner.PutAsync(Object, new byte[] { 5 }, CancellationToken.None);
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.Script = (op, _) => op == "get" ? hang.Task : Task.CompletedTask;
        var backend = Create(NoJitter with { MaxAttempts = 2, AttemptTimeout = TimeSpan.FromSeconds(10), MinimumBytesPerSecond = 0 });

        var get = backend.GetAsync(Object, CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(10)); // first attempt times out
        await AdvanceAsync(TimeSpan.FromSeconds(1)); // backoff
        await AdvanceAsync(TimeSpan.FromSeconds(10)); // second attempt times out
        var error = await Assert.ThrowsAsync<BackendException>(() => get.WaitAsync(Within));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.Contains("abandoned", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _inner.Calls("get"));

        // The hung attempts finish after all: their buffers go back, not to the caller.
        hang.SetResult();
        await WaitUntilAsync(() => _inner.LiveBuffers == 0);
    }

    [Fact]
    public async Task PutAsync_AttemptTimeout_GrowsWithTheBytes()
    {
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.Script = (_, _) => hang.Task;
        var backend = Create(NoJitter with { MaxAttempts = 1, AttemptTimeout = TimeSpan.FromSeconds(10), MinimumBytesPerSecond = 1000 });

        var put = backend.PutAsync(Object, new byte[5000], CancellationToken.None);
        await AdvanceAsync(TimeSpan.FromSeconds(15));

        var error = await Assert.ThrowsAsync<BackendException>(() => put.WaitAsync(Within));
        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        hang.SetResult();
    }

    [Fact]
    public async Task PutAsync_CancelledDuringBackoff_ThrowsAtOnce()
    {
        _inner.Script = (_, _) => Fail(new IOException("down"));
        var backend = Create();
        using var cancel = new CancellationTokenSource();

        var put = backend.PutAsync(Object, new byte[] { 1 }, cancel.Token);
        await _time.WaitForPendingTimersAsync(1, Within);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => put.WaitAsync(Within));
        Assert.Equal(1, _inner.Calls("put"));
    }

    [Fact]
    public async Task GetAsync_CancelledWhileTheBackendHangs_ThrowsAtOnce()
    {
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.Script = (_, _) => hang.Task;
        var backend = Create();
        using var cancel = new CancellationTokenSource();

        var get = backend.GetAsync(Object, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.WaitAsync(Within));
        Assert.Equal(1, _inner.Calls("get"));
        hang.SetResult();
    }

    [Fact]
    public async Task PutAsync_AlreadyCancelled_NeverCallsTheBackend()
    {
        var backend = Create();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.PutAsync(Object, new byte[] { 1 }, new CancellationToken(canceled: true)));

        Assert.Equal(0, _inner.Calls("put"));
    }

    [Fact]
    public async Task ListAsync_FailureBeforeTheFirstName_IsRetried()
    {
        await _inner.PutAsync("aaaaaaaaaaaaaaaaaaaa", new byte[] { 1 }, CancellationToken.None);
        await _inner.PutAsync("bbbbbbbbbbbbbbbbbbbb", new byte[] { 1 }, CancellationToken.None);
        _inner.Script = (op, n) => op == "list" && n == 1 ? Fail(new IOException("reset")) : Task.CompletedTask;
        var backend = Create();

        var list = ListAsync(backend);
        await AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb"], await list.WaitAsync(Within));
        Assert.Equal(2, _inner.Calls("list"));
    }

    [Fact]
    public async Task ListAsync_HangingFirstPage_TimesOut()
    {
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.Script = (_, _) => hang.Task;
        var backend = Create(NoJitter with { MaxAttempts = 1, AttemptTimeout = TimeSpan.FromSeconds(30) });

        var list = ListAsync(backend);
        await AdvanceAsync(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<BackendException>(() => list.WaitAsync(Within));
        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        hang.SetResult();
    }

    [Fact]
    public void Decorator_KeepsNameAndCapabilities()
    {
        var backend = Create();

        Assert.Equal(_inner.Name, backend.Name);
        Assert.Same(_inner.Capabilities, backend.Capabilities);
        Assert.Same(_inner, BackendDecorator.Unwrap(backend));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(NoJitter with { MaxAttempts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(NoJitter with { MaxDelay = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(NoJitter with { AttemptTimeout = TimeSpan.Zero }));
    }

    private static async Task<List<string>> ListAsync(IStorageBackend backend)
    {
        var names = new List<string>();
        await foreach (var name in backend.ListAsync(CancellationToken.None))
        {
            names.Add(name);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    // The abandoned attempts' continuations run on the thread pool: wait (bounded) for them, without sleeping.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Yield();
        }
    }
}
