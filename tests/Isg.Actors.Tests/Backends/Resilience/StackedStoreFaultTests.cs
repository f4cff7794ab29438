using Isg.Actors.Backends;
using Isg.Actors.Backends.Resilience;
using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Isg.TestKit;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Tests.Backends.Resilience;

/// <summary>
/// A repository over three backends (local, b2, b3) with redundancy 2+1, where b2 misbehaves under the full decorator
/// stack, driven through the node's real add and restore: what is acknowledged stays correct and complete.
/// </summary>
public sealed class StackedStoreFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly RecordingLoggerFactory _logs = new();
    private StorageNode? _node;
    private FaultInjectingBackend? _faulty;

    private string Src => _dir.Combine("src");

    public Task InitializeAsync()
    {
        using var repository = TestRepository.Create(_dir);
        BackendAdministration.AddLocal(repository, "b2", _dir.Combine("b2"));
        BackendAdministration.AddLocal(repository, "b3", _dir.Combine("b3"));
        repository.Settings.Set(RepositorySettings.RedundancyKey, "2+1");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        _dir.Dispose();
    }

    private void Start(Fault fault, BackendStackOptions options)
    {
        var repository = Repository.Open(_dir.Combine("repo"), TestRepository.Passphrase, _logs, backend =>
        {
            if (backend.Name != "b2")
            {
                return backend;
            }

            _faulty = new FaultInjectingBackend(backend, fault);
            return BackendStack.Wrap(_faulty, options, TimeProvider.System, _logs.CreateLogger("b2"));
        });
        _node = StorageNode.Start(repository, _logs, new StorageNodeOptions(Workers: 2));
    }

    private static BackendStackOptions Fast(int attempts, TimeSpan attemptTimeout) => new()
    {
        Retry = new RetryOptions
        {
            MaxAttempts = attempts,
            BaseDelay = TimeSpan.FromMilliseconds(1),
            MaxDelay = TimeSpan.FromMilliseconds(4),
            UseJitter = false,
            AttemptTimeout = attemptTimeout,
            MinimumBytesPerSecond = 0,
        },
        CircuitBreaker = new CircuitBreakerOptions { ConsecutiveFailures = 3, BreakDuration = TimeSpan.FromMinutes(10) },
    };

    private Dictionary<string, byte[]> WriteFiles(int count, int size)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        Directory.CreateDirectory(Src);
        for (var i = 0; i < count; i++)
        {
            var bytes = SampleData.RandomBytes(size + (i * 101), seed: 500 + i);
            File.WriteAllBytes(Path.Combine(Src, $"f{i:D2}.bin"), bytes);
            files[$"f{i:D2}.bin"] = bytes;
        }

        return files;
    }

    private Dictionary<string, byte[]> WriteMoreFiles(int count, int size)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var bytes = SampleData.RandomBytes(size + (i * 97), seed: 900 + i);
            File.WriteAllBytes(Path.Combine(Src, $"g{i:D2}.bin"), bytes);
            files[$"g{i:D2}.bin"] = bytes;
        }

        return files;
    }

    private Task<IngestReport> AddAsync() =>
        _node!.AddAsync([new IngestSource(Src, "data")], new IngestOptions(), null, CancellationToken.None).WaitAsync(Within);

    private async Task<(RestoreReport Report, string Output)> RestoreAsync()
    {
        var output = _dir.Combine("out");
        var report = await _node!.RestoreAsync(new RestoreRequest("data", output, false), null, CancellationToken.None).WaitAsync(Within);
        return (report, output);
    }

    [Fact]
    public async Task AddThenRestore_BackendFailingHalfItsCalls_BitExact()
    {
        Start(Fault.FailHalf, Fast(attempts: 4, attemptTimeout: TimeSpan.FromSeconds(30)));
        var files = WriteFiles(6, 60_000);

        var added = await AddAsync();
        var (restored, output) = await RestoreAsync();

        Assert.Equal(0, added.FilesFailed);
        Assert.Equal(files.Count + 1, added.FilesAdded);
        Assert.Empty(restored.Failures);
        foreach (var (name, bytes) in files)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(output, name)));
        }

        Assert.True(_faulty!.Faults > 10, $"only {_faulty.Faults} faults were injected");
        var metrics = BackendStack.Metrics(_node!.Repository.Backends.Get("b2"))!;
        Assert.True(metrics.Calls > 0);
        Assert.Equal(0, metrics.Failures);
        Assert.Equal(CircuitState.Closed, metrics.Circuit);
    }

    [Fact]
    public async Task Add_BackendWhosePutsHang_FailsTypedWithinTheTimeoutsAndLosesNothingAcknowledged()
    {
        Start(Fault.HangPuts, Fast(attempts: 2, attemptTimeout: TimeSpan.FromMilliseconds(150)));
        _faulty!.Armed = false;
        var first = WriteFiles(6, 60_000);
        var acknowledged = await AddAsync();
        Assert.Equal(0, acknowledged.FilesFailed);

        _faulty.Armed = true;
        var more = WriteMoreFiles(6, 60_000);
        var error = await Assert.ThrowsAsync<BackendException>(AddAsync);

        Assert.Equal("b2", error.Backend);
        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.True(_faulty.Faults > 0);
        Assert.Contains(_logs.Entries, e => e.Message.Contains("abandoned", StringComparison.Ordinal));
        Assert.Equal(CircuitState.Open, BackendStack.Metrics(_node!.Repository.Backends.Get("b2"))!.Circuit);

        // Everything the first add acknowledged restores; of the second, whatever was committed is whole.
        var (restored, output) = await RestoreAsync();
        Assert.Empty(restored.Failures);
        foreach (var (name, bytes) in first)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(output, name)));
        }

        foreach (var path in Directory.EnumerateFiles(output).Where(p => !first.ContainsKey(Path.GetFileName(p))))
        {
            Assert.Equal(more[Path.GetFileName(path)], File.ReadAllBytes(path));
        }
    }

    [Fact]
    public async Task Restore_BackendReturningCorruptedBytes_RebuildsFromTheStripeAndReportsTheDamage()
    {
        Start(Fault.CorruptGets, Fast(attempts: 3, attemptTimeout: TimeSpan.FromSeconds(30)));
        var files = WriteFiles(6, 60_000);
        var added = await AddAsync();
        Assert.Equal(0, added.FilesFailed);

        var (restored, output) = await RestoreAsync();

        Assert.Empty(restored.Failures);
        Assert.Equal(0, restored.CorruptFiles);
        foreach (var (name, bytes) in files)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(output, name)));
        }

        Assert.True(_faulty!.Faults > 0, "nothing was read from the corrupting backend");
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("on b2", StringComparison.Ordinal));
    }
}
