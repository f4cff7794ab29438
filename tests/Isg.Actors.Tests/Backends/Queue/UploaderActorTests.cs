using System.Buffers;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Backends.Queue;
using Isg.Actors.Catalog;
using Isg.Actors.Runtime;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.Queue;

public sealed class UploaderActorTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _root = new();
    private readonly CatalogDatabase _catalog;
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly LocalBlockStore _platform;
    private readonly SignallingStore _signalling;
    private readonly QueuedBackend _queue;

    public UploaderActorTests()
    {
        _catalog = CatalogDatabase.Open(_root.Combine("repo"));
        _platform = new LocalBlockStore(new LocalBlockStoreOptions(_root.Combine("platform")) { Name = "remote" });
        _signalling = new SignallingStore(new FaultyStore(_platform));
        _queue = new QueuedBackend(_signalling, _catalog, _root.Combine("spool"), _clock, NullLogger.Instance,
            new UploadQueueOptions { MinBackoff = TimeSpan.FromSeconds(5) });
    }

    public void Dispose()
    {
        _queue.Dispose();
        _platform.Dispose();
        _catalog.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Flush_WhileActorRuns_UploadsWithoutBeingAsked()
    {
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = _clock });
        system.Spawn<IUploaderCommand>("uploader", () => new UploaderActor(_queue), MailboxOptions.Unbounded);

        await _queue.PutAsync("obj0000000000000001", new byte[] { 1, 2, 3 }, CancellationToken.None);
        await _queue.FlushAsync(CancellationToken.None);

        Assert.Equal("obj0000000000000001", await _signalling.Uploaded.Reader.ReadAsync().AsTask().WaitAsync(Within));
        await _signalling.Flushed.Reader.ReadAsync().AsTask().WaitAsync(Within);
        Assert.True(await _platform.ExistsAsync("obj0000000000000001", CancellationToken.None));
    }

    [Fact]
    public async Task Start_PlatformFailsFirst_RetriesWhenTheBackoffIsDueOnTheClock()
    {
        await _queue.PutAsync("obj0000000000000002", new byte[] { 4 }, CancellationToken.None);
        await _queue.FlushAsync(CancellationToken.None);
        _signalling.FailNext = 1;
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = _clock });
        var uploader = system.Spawn<IUploaderCommand>("uploader", () => new UploaderActor(_queue), MailboxOptions.Unbounded);

        await _signalling.Failed.Reader.ReadAsync().AsTask().WaitAsync(Within);
        await _clock.WaitForPendingTimersAsync(1, Within);
        var pass = await uploader.AskAsync<IUploaderCommand, UploadPass?>(r => new GetLastPass(r), Within, CancellationToken.None);
        Assert.Equal(1, pass!.Failed);
        Assert.False(await _platform.ExistsAsync("obj0000000000000002", CancellationToken.None));

        _clock.Advance(TimeSpan.FromSeconds(7));

        Assert.Equal("obj0000000000000002", await _signalling.Uploaded.Reader.ReadAsync().AsTask().WaitAsync(Within));
    }

    // Reports each upload, failure and flush on channels so the test waits on events, never on time.
    private sealed class SignallingStore(IStorageBackend inner) : IStorageBackend
    {
        private int _failNext;

        public System.Threading.Channels.Channel<string> Uploaded { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

        public System.Threading.Channels.Channel<string> Failed { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

        public System.Threading.Channels.Channel<bool> Flushed { get; } = System.Threading.Channels.Channel.CreateUnbounded<bool>();

        public int FailNext
        {
            get => Volatile.Read(ref _failNext);
            set => Volatile.Write(ref _failNext, value);
        }

        public string Name => inner.Name;

        public BackendCapabilities Capabilities => inner.Capabilities;

        public async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref _failNext) >= 0)
            {
                Failed.Writer.TryWrite(objectName);
                throw new BackendException(BackendFailureKind.Transient, Name, "down");
            }

            await inner.PutAsync(objectName, data, cancellationToken);
            Uploaded.Writer.TryWrite(objectName);
        }

        public Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken) => inner.GetAsync(objectName, cancellationToken);

        public Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken) => inner.ExistsAsync(objectName, cancellationToken);

        public Task DeleteAsync(string objectName, CancellationToken cancellationToken) => inner.DeleteAsync(objectName, cancellationToken);

        public IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            await inner.FlushAsync(cancellationToken);
            Flushed.Writer.TryWrite(true);
        }

        public BackendFailureKind Classify(Exception exception) => inner.Classify(exception);
    }
}
