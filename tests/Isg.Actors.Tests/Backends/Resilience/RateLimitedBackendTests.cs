using Isg.Actors.Backends.Resilience;
using Isg.TestKit;

namespace Isg.Actors.Tests.Backends.Resilience;

public sealed class RateLimitedBackendTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private const string Object = "0123456789abcdef0123";
    private readonly ManualTimeProvider _time = new();
    private readonly ScriptedBackend _inner = new();

    private RateLimitedBackend Create(double callsPerSecond = 0, long bytesPerSecond = 0) =>
        new(_inner, new RateLimitOptions { CallsPerSecond = callsPerSecond, BytesPerSecond = bytesPerSecond }, _time);

    [Fact]
    public async Task ExistsAsync_TwoCallsPerSecond_EachWaitsHalfASecond()
    {
        var backend = Create(callsPerSecond: 2);

        var first = backend.ExistsAsync(Object, CancellationToken.None);
        await _time.WaitForPendingTimersAsync(1, Within);
        Assert.Equal(TimeSpan.FromMilliseconds(500), _time.NextDue);
        Assert.Equal(0, _inner.Calls("exists"));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await first.WaitAsync(Within);

        var second = backend.ExistsAsync(Object, CancellationToken.None);
        var third = backend.ExistsAsync(Object, CancellationToken.None);
        await _time.WaitForPendingTimersAsync(2, Within);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(third.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Task.WhenAll(second, third).WaitAsync(Within);

        Assert.Equal(3, _inner.Calls("exists"));
    }

    [Fact]
    public async Task PutAsync_BytesPerSecond_WaitsForTheBytes()
    {
        var backend = Create(bytesPerSecond: 1000);

        var put = backend.PutAsync(Object, new byte[3000], CancellationToken.None);
        await _time.WaitForPendingTimersAsync(1, Within);

        Assert.Equal(TimeSpan.FromSeconds(3), _time.NextDue);
        Assert.Equal(0, _inner.Calls("put"));
        _time.Advance(TimeSpan.FromSeconds(3));
        await put.WaitAsync(Within);
        Assert.Equal(1, _inner.Calls("put"));
        Assert.Equal(TimeSpan.FromSeconds(3), backend.TotalWait);
    }

    [Fact]
    public async Task GetAsync_BytesGot_HoldBackTheCaller()
    {
        await _inner.PutAsync(Object, new byte[2000], CancellationToken.None);
        var backend = Create(bytesPerSecond: 1000);

        var get = backend.GetAsync(Object, CancellationToken.None);
        await _time.WaitForPendingTimersAsync(1, Within);

        Assert.Equal(1, _inner.Calls("get"));
        Assert.Equal(TimeSpan.FromSeconds(2), _time.NextDue);
        _time.Advance(TimeSpan.FromSeconds(2));
        using var owner = await get.WaitAsync(Within);
        Assert.Equal(2000, owner.Memory.Length);
    }

    [Fact]
    public async Task GetAsync_CancelledWhileWaitingForBytes_DisposesTheBuffer()
    {
        await _inner.PutAsync(Object, new byte[2000], CancellationToken.None);
        var backend = Create(bytesPerSecond: 1000);
        using var cancel = new CancellationTokenSource();

        var get = backend.GetAsync(Object, cancel.Token);
        await _time.WaitForPendingTimersAsync(1, Within);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.WaitAsync(Within));
        Assert.Equal(0, _inner.LiveBuffers);
    }

    [Fact]
    public async Task PutAsync_CancelledWhileWaiting_NeverCallsTheBackend()
    {
        var backend = Create(callsPerSecond: 0.01);
        using var cancel = new CancellationTokenSource();

        var put = backend.PutAsync(Object, new byte[] { 1 }, cancel.Token);
        await _time.WaitForPendingTimersAsync(1, Within);
        Assert.Equal(TimeSpan.FromSeconds(100), _time.NextDue);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => put.WaitAsync(Within));
        Assert.Equal(0, _inner.Calls("put"));
    }

    [Fact]
    public async Task ListAsync_Unlimited_PassesStraightThrough()
    {
        await _inner.PutAsync(Object, new byte[] { 1 }, CancellationToken.None);
        var backend = Create();

        var names = new List<string>();
        await foreach (var name in backend.ListAsync(CancellationToken.None))
        {
            names.Add(name);
        }

        Assert.Equal([Object], names);
        Assert.Equal(0, _time.PendingTimers);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0.0001, 0)]
    [InlineData(double.NaN, 0)]
    [InlineData(0, -1)]
    public void Constructor_InvalidLimits_Throw(double calls, long bytes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(calls, bytes));
}
