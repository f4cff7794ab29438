using Isg.Actors.Storage;

namespace Isg.Actors.Tests.Storage;

public sealed class IoThreadsTests
{
    [Fact]
    public async Task Run_ReturnsTheResultFromADedicatedThreadOutsideThePool()
    {
        var (value, pooled, name) = await IoThreads.Run(() => (42, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));

        Assert.Equal(42, value);
        Assert.False(pooled);
        Assert.StartsWith("isg-io-", name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OperationThrows_TaskFaultsWithTheException()
    {
        var error = await Assert.ThrowsAsync<IOException>(() => IoThreads.Run<int>(() => throw new IOException("disk on fire")));

        Assert.Equal("disk on fire", error.Message);
    }

    [Fact]
    public async Task Run_OperationCancelled_TaskIsCanceled()
    {
        using var source = new CancellationTokenSource();
        await source.CancelAsync();

        var task = IoThreads.Run(() =>
        {
            source.Token.ThrowIfCancellationRequested();
            return 0;
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.True(task.IsCanceled);
    }

    [Fact]
    public async Task Run_MoreOperationsThanThreads_AllCompleteWhileSomeWait()
    {
        // Every thread but one is held until the last operation has run: the queue must not need them all free.
        using var release = new ManualResetEventSlim();
        var held = Enumerable.Range(0, IoThreads.Count - 1).Select(_ => IoThreads.Run(() => release.Wait(TimeSpan.FromSeconds(30)))).ToList();
        var others = Enumerable.Range(0, 20).Select(i => IoThreads.Run(() => i)).ToList();

        var results = await Task.WhenAll(others);
        release.Set();
        var released = await Task.WhenAll(held);

        Assert.Equal(Enumerable.Range(0, 20), results);
        Assert.All(released, Assert.True);
    }
}
