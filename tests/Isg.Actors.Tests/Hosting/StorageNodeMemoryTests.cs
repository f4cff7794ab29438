using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Actors.Transfers;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Isg.Actors.Tests.Hosting;

/// <summary>Memory bounds of a whole add, measured on the GC heap; alone, so that other tests' allocations do not count.</summary>
[Collection(nameof(StorageNodeMemoryTests))]
[CollectionDefinition(nameof(StorageNodeMemoryTests), DisableParallelization = true)]
public sealed class StorageNodeMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const long FileSize = 256L << 20;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AddAsync_FileFarLargerThanTheInFlightBound_KeepsTheHeapBounded()
    {
        var path = _dir.Combine("big.bin");
        var random = new Random(42);
        var buffer = new byte[1 << 20];
        using (var file = File.Create(path))
        {
            for (long written = 0; written < FileSize; written += buffer.Length)
            {
                random.NextBytes(buffer);
                file.Write(buffer);
            }
        }

        buffer = [];
        await using var node = StorageNode.Start(TestRepository.Create(_dir, smallChunks: false), NullLoggerFactory.Instance,
            new StorageNodeOptions(Workers: 2, InFlightBytes: 16L << 20));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var progress = new SyncProgress<TransferProgress>(p =>
        {
            if (p.Event == TransferEvent.Bytes)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            }
        });
        var started = System.Diagnostics.Stopwatch.StartNew();

        var report = await node.AddAsync([new IngestSource(path, "big.bin")], new IngestOptions(), progress, CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(2));

        output.WriteLine($"added {FileSize >> 20} MiB in {started.Elapsed.TotalSeconds:F1} s; heap baseline {baseline >> 20} MiB, peak {peak >> 20} MiB");
        Assert.Equal(FileSize, report.BytesRead);
        Assert.Equal(1, report.FilesAdded);
        // The reader's window (8 MiB), eight 4 MiB chunks in flight and each worker's sealing buffer: tens of MiB, not
        // the file (256 MiB). Garbage between collections counts too, so the bound is loose.
        Assert.True(peak - baseline < 128L << 20, $"heap grew by {(peak - baseline) >> 20} MiB while adding {FileSize >> 20} MiB");
    }
}
