using System.Collections.Concurrent;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Remote;
using Isg.TestKit;

namespace Isg.Actors.Tests.Backends.Remote;

/// <summary>The platform-independent half of the chat backends, over parts kept in memory.</summary>
public sealed class RemoteObjectStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MemoryParts _parts = new();
    private readonly RecordingLoggerFactory _logs = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task GetAsync_PartsDeletedByAConcurrentReplacement_ReadsTheNewObject()
    {
        using var store = Open();
        var name = new string('a', 32);
        await store.PutAsync(name, new byte[] { 1, 2, 3 }, CancellationToken.None);
        _parts.BeforeDownload = async () =>
        {
            _parts.BeforeDownload = null;
            await store.PutAsync(name, new byte[] { 9, 9 }, CancellationToken.None);
        };

        using var owner = await store.GetAsync(name, CancellationToken.None);

        Assert.Equal(new byte[] { 9, 9 }, owner.Memory.ToArray());
        Assert.Single(_parts.Stored);
    }

    [Fact]
    public async Task GetAsync_RecordedPartsGoneFromThePlatform_ThrowsNotFound()
    {
        using var store = Open();
        var name = new string('b', 32);
        await store.PutAsync(name, new byte[] { 1 }, CancellationToken.None);
        _parts.Stored.Clear();

        var error = await Assert.ThrowsAsync<BackendException>(() => store.GetAsync(name, CancellationToken.None));

        Assert.Equal(BackendFailureKind.NotFound, error.Kind);
        Assert.True(store.Exists(name));
    }

    [Fact]
    public async Task GetAsync_PlatformReturnsFewerBytesThanStored_FailsPermanent()
    {
        using var store = Open();
        var name = new string('c', 32);
        await store.PutAsync(name, new byte[] { 1, 2, 3, 4 }, CancellationToken.None);
        _parts.Stored[_parts.Stored.Keys.Single()] = [1, 2];

        var error = await Assert.ThrowsAsync<BackendException>(() => store.GetAsync(name, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
    }

    [Fact]
    public async Task PutAsync_OldPartsCannotBeDeleted_SucceedsAndLogsIt()
    {
        using var store = Open();
        var name = new string('d', 32);
        await store.PutAsync(name, new byte[] { 1 }, CancellationToken.None);
        _parts.FailDeletes = true;

        await store.PutAsync(name, new byte[] { 2 }, CancellationToken.None);

        using var owner = await store.GetAsync(name, CancellationToken.None);
        Assert.Equal(new byte[] { 2 }, owner.Memory.ToArray());
        Assert.Contains(_logs.Entries, e => e.Message.Contains("stale parts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PutAsync_EmptyObject_UploadsNothing()
    {
        using var store = Open();
        var name = new string('e', 32);

        await store.PutAsync(name, ReadOnlyMemory<byte>.Empty, CancellationToken.None);

        Assert.Empty(_parts.Stored);
        using var owner = await store.GetAsync(name, CancellationToken.None);
        Assert.Equal(0, owner.Memory.Length);
        Assert.Equal((1L, 0L), store.Usage());
    }

    [Fact]
    public async Task DeleteAsync_PlatformFails_KeepsTheEntry()
    {
        using var store = Open();
        var name = new string('f', 32);
        await store.PutAsync(name, new byte[] { 1 }, CancellationToken.None);
        _parts.FailDeletes = true;

        await Assert.ThrowsAsync<BackendException>(() => store.DeleteAsync(name, CancellationToken.None));

        Assert.True(store.Exists(name));
    }

    private RemoteObjectStore Open() =>
        new("remote-test", _temp.Combine("state", "index.db"), _parts, _logs.CreateLogger("remote"));

    private sealed class MemoryParts : IRemotePartStore
    {
        private int _next;

        public ConcurrentDictionary<string, byte[]> Stored { get; } = new(StringComparer.Ordinal);

        public Func<Task>? BeforeDownload { get; set; }

        public bool FailDeletes { get; set; }

        public Task<IReadOnlyList<string>> UploadAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            var id = $"p{Interlocked.Increment(ref _next)}";
            Stored[id] = data.ToArray();
            return Task.FromResult<IReadOnlyList<string>>([id]);
        }

        public async Task<int> DownloadAsync(IReadOnlyList<string> parts, Memory<byte> destination, CancellationToken cancellationToken)
        {
            if (BeforeDownload is { } hook)
            {
                await hook();
            }

            var total = 0;
            foreach (var part in parts)
            {
                if (!Stored.TryGetValue(part, out var data))
                {
                    throw new BackendException(BackendFailureKind.NotFound, "remote-test", $"no part {part}");
                }

                data.CopyTo(destination[total..]);
                total += data.Length;
            }

            return total;
        }

        public Task DeleteAsync(IReadOnlyList<string> parts, CancellationToken cancellationToken)
        {
            if (FailDeletes)
            {
                return Task.FromException(new BackendException(BackendFailureKind.Transient, "remote-test", "delete refused"));
            }

            foreach (var part in parts)
            {
                Stored.TryRemove(part, out _);
            }

            return Task.CompletedTask;
        }
    }
}
