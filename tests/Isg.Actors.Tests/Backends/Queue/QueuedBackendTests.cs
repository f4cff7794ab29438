using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Backends.Queue;
using Isg.Actors.Catalog;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.Queue;

public sealed class QueuedBackendTests : IDisposable
{
    private static readonly UploadQueueOptions s_options = new() { MinBackoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromMinutes(5), BatchSize = 4 };
    private readonly TempDirectory _root = new();
    private readonly CatalogDatabase _catalog;
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly LocalBlockStore _platform;
    private readonly FaultyStore _faulty;
    private readonly List<QueuedBackend> _queues = [];

    public QueuedBackendTests()
    {
        _catalog = CatalogDatabase.Open(_root.Combine("repo"));
        _platform = new LocalBlockStore(new LocalBlockStoreOptions(_root.Combine("platform")) { Name = "remote" });
        _faulty = new FaultyStore(_platform);
    }

    public void Dispose()
    {
        foreach (var queue in _queues)
        {
            queue.Dispose();
        }

        _platform.Dispose();
        _catalog.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task FlushAsync_AfterPut_QueuesDurablyAndServesFromSpoolWhilePlatformHasNothing()
    {
        var queue = NewQueue();
        var data = SampleBytes(1000, 1);

        await queue.PutAsync(Name(1), data, CancellationToken.None);
        await queue.FlushAsync(CancellationToken.None);

        Assert.Equal([Name(1)], Queued().Select(e => e.ObjectName));
        Assert.Equal(1000, Queued()[0].Length);
        Assert.False(await _platform.ExistsAsync(Name(1), CancellationToken.None));
        using var read = await queue.GetAsync(Name(1), CancellationToken.None);
        Assert.True(read.Memory.Span.SequenceEqual(data));
        Assert.True(await queue.ExistsAsync(Name(1), CancellationToken.None));
    }

    [Fact]
    public async Task UploadDueAsync_PlatformUp_UploadsThenForgetsRowAndSpoolFile()
    {
        var queue = NewQueue();
        for (var i = 0; i < 6; i++)
        {
            await queue.PutAsync(Name(i), SampleBytes(100 + i, i), CancellationToken.None);
        }

        await queue.FlushAsync(CancellationToken.None);
        var first = await queue.UploadDueAsync(ignoreSchedule: false, CancellationToken.None);
        var second = await queue.UploadDueAsync(ignoreSchedule: false, CancellationToken.None);

        Assert.Equal((4, 0), (first.Uploaded, first.Failed));
        Assert.NotNull(first.NextDueAt);
        Assert.Equal((2, 0, (DateTimeOffset?)null), (second.Uploaded, second.Failed, second.NextDueAt));
        Assert.Empty(Queued());
        Assert.Empty(Directory.EnumerateFiles(queue.SpoolDirectory));
        for (var i = 0; i < 6; i++)
        {
            using var stored = await _platform.GetAsync(Name(i), CancellationToken.None);
            Assert.True(stored.Memory.Span.SequenceEqual(SampleBytes(100 + i, i)));
        }
    }

    [Fact]
    public async Task UploadDueAsync_PlatformFails_BacksOffExponentiallyThenSucceedsWhenDue()
    {
        var queue = NewQueue();
        await queue.PutAsync(Name(1), SampleBytes(10, 1), CancellationToken.None);
        await queue.FlushAsync(CancellationToken.None);
        _faulty.FailPuts = new BackendException(BackendFailureKind.Transient, "remote", "platform down");
        _faulty.FailuresLeft = 2;

        var failed = await queue.UploadDueAsync(ignoreSchedule: false, CancellationToken.None);
        var entry = Queued().Single();
        Assert.Equal((0, 1), (failed.Uploaded, failed.Failed));
        Assert.Equal(1, entry.Attempts);
        Assert.StartsWith("Transient", entry.LastError, StringComparison.Ordinal);
        Assert.InRange(entry.NextAttemptAt - _clock.GetUtcNow(), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(12.5));

        // Not due yet: nothing is tried.
        var early = await queue.UploadDueAsync(ignoreSchedule: false, CancellationToken.None);
        Assert.Equal((0, 0), (early.Uploaded, early.Failed));

        _clock.Advance(TimeSpan.FromSeconds(13));
        await queue.UploadDueAsync(ignoreSchedule: false, CancellationToken.None);
        entry = Queued().Single();
        Assert.Equal(2, entry.Attempts);
        Assert.InRange(entry.NextAttemptAt - _clock.GetUtcNow(), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(25));

        _clock.Advance(TimeSpan.FromSeconds(26));
        var done = await queue.UploadDueAsync(ignoreSchedule: false, CancellationToken.None);
        Assert.Equal((1, 0, (DateTimeOffset?)null), (done.Uploaded, done.Failed, done.NextDueAt));
    }

    [Fact]
    public async Task UploadDueAsync_RetryAfterLongerThanBackoff_WaitsRetryAfter()
    {
        var queue = NewQueue();
        await queue.PutAsync(Name(1), SampleBytes(10, 1), CancellationToken.None);
        await queue.FlushAsync(CancellationToken.None);
        _faulty.FailPuts = new BackendException(BackendFailureKind.QuotaExceeded, "remote", "quota") { RetryAfter = TimeSpan.FromHours(1) };
        _faulty.FailuresLeft = 1;

        await queue.UploadDueAsync(ignoreSchedule: false, CancellationToken.None);

        Assert.Equal(TimeSpan.FromHours(1), Queued().Single().NextAttemptAt - _clock.GetUtcNow());
    }

    [Fact]
    public async Task NewInstance_AfterQueuedWithoutUpload_ResumesTheQueue()
    {
        var data = SampleBytes(5000, 7);
        var first = NewQueue();
        await first.PutAsync(Name(7), data, CancellationToken.None);
        await first.FlushAsync(CancellationToken.None);

        // A new process: nothing in memory, only the catalogue and the spool.
        var second = NewQueue();
        using (var read = await second.GetAsync(Name(7), CancellationToken.None))
        {
            Assert.True(read.Memory.Span.SequenceEqual(data));
        }

        await second.DrainAsync(CancellationToken.None);

        Assert.Empty(Queued());
        using var stored = await _platform.GetAsync(Name(7), CancellationToken.None);
        Assert.True(stored.Memory.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task Constructor_OldUnflushedSpoolFile_IsRemovedButRecentOneIsKept()
    {
        var queue = NewQueue();
        await queue.PutAsync(Name(1), SampleBytes(10, 1), CancellationToken.None);
        await queue.PutAsync(Name(2), SampleBytes(10, 2), CancellationToken.None);
        File.SetLastWriteTimeUtc(Path.Combine(queue.SpoolDirectory, Name(1)), _clock.GetUtcNow().UtcDateTime.AddDays(-2));
        File.SetLastWriteTimeUtc(Path.Combine(queue.SpoolDirectory, Name(2)), _clock.GetUtcNow().UtcDateTime);

        var reopened = NewQueue();

        Assert.False(File.Exists(Path.Combine(reopened.SpoolDirectory, Name(1))));
        Assert.True(File.Exists(Path.Combine(reopened.SpoolDirectory, Name(2))));
    }

    [Fact]
    public async Task DeleteAsync_QueuedObject_LeavesNoRowFileOrObject()
    {
        var queue = NewQueue();
        await queue.PutAsync(Name(1), SampleBytes(10, 1), CancellationToken.None);
        await queue.FlushAsync(CancellationToken.None);

        await queue.DeleteAsync(Name(1), CancellationToken.None);

        Assert.Empty(Queued());
        Assert.False(await queue.ExistsAsync(Name(1), CancellationToken.None));
        Assert.Equal((0, (DateTimeOffset?)null), ((await queue.UploadDueAsync(false, CancellationToken.None)).Uploaded, (await queue.UploadDueAsync(false, CancellationToken.None)).NextDueAt));
    }

    [Fact]
    public async Task UploadDueAsync_PutAgainWhileUploading_KeepsTheNewSpoolFileQueued()
    {
        var queue = NewQueue();
        await queue.PutAsync(Name(1), SampleBytes(10, 1), CancellationToken.None);
        await queue.FlushAsync(CancellationToken.None);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _faulty.HoldPuts = release.Task;

        var pass = queue.UploadDueAsync(ignoreSchedule: false, CancellationToken.None);
        await _faulty.PutWaiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await queue.PutAsync(Name(1), SampleBytes(10, 1), CancellationToken.None);
        release.SetResult();
        await pass;
        await queue.FlushAsync(CancellationToken.None);

        Assert.Single(Queued());
        Assert.True(File.Exists(Path.Combine(queue.SpoolDirectory, Name(1))));
    }

    [Fact]
    public async Task ListAsync_QueuedAndUploaded_ListsEachOnce()
    {
        var queue = NewQueue();
        await queue.PutAsync(Name(1), SampleBytes(10, 1), CancellationToken.None);
        await queue.FlushAsync(CancellationToken.None);
        await queue.DrainAsync(CancellationToken.None);
        await queue.PutAsync(Name(2), SampleBytes(10, 2), CancellationToken.None);
        await queue.PutAsync(Name(1), SampleBytes(10, 1), CancellationToken.None);
        await queue.FlushAsync(CancellationToken.None);

        var names = new List<string>();
        await foreach (var name in queue.ListAsync(CancellationToken.None))
        {
            names.Add(name);
        }

        Assert.Equal([Name(1), Name(2)], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Backoff_GrowsToTheCapWithBoundedJitter()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), s_options.Backoff(1, null, 0));
        Assert.Equal(TimeSpan.FromSeconds(80), s_options.Backoff(4, null, 0));
        Assert.Equal(TimeSpan.FromMinutes(5), s_options.Backoff(30, null, 0));
        Assert.Equal(TimeSpan.FromSeconds(12.5), s_options.Backoff(1, null, 1));
    }

    private QueuedBackend NewQueue()
    {
        var queue = new QueuedBackend(_faulty, _catalog, _root.Combine("spool"), _clock, NullLogger.Instance, s_options);
        _queues.Add(queue);
        return queue;
    }

    private IReadOnlyList<UploadQueueEntry> Queued()
    {
        using var reader = _catalog.CreateReader();
        return reader.ListUploadQueue("remote");
    }

    private static string Name(int i) => $"obj{i:d16}";

    private static byte[] SampleBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
