using Isg.Actors.Storage;
using System.Diagnostics;
using Isg.Actors.Backends.Local;
using Xunit.Abstractions;

namespace Isg.Actors.Tests.Backends;

/// <summary>
/// Prints put+flush throughput of each durability mode (no timing assertions). Small by default so the suite stays
/// quick; set ISG_MEASURE=1 for the full workloads (256 x 1 MiB and 10 000 x 8 KiB):
/// <c>ISG_MEASURE=1 dotnet test tests/Isg.Actors.Tests -c Release --filter FullyQualifiedName~DurabilityMeasurements --logger "console;verbosity=detailed"</c>.
/// Writes under the system temp directory, so it measures that file system.
/// </summary>
public sealed class LocalBlockStoreDurabilityMeasurements(ITestOutputHelper output)
{
    private static readonly bool s_full = Environment.GetEnvironmentVariable("ISG_MEASURE") == "1";

    [Theory]
    [InlineData(LocalDurability.PerPut)]
    [InlineData(LocalDurability.OnFlush)]
    public async Task PutThenFlush_LargeObjects(LocalDurability durability) =>
        await MeasureAsync(durability, count: s_full ? 256 : 8, size: 1024 * 1024);

    [Theory]
    [InlineData(LocalDurability.PerPut)]
    [InlineData(LocalDurability.OnFlush)]
    public async Task PutThenFlush_SmallObjects(LocalDurability durability) =>
        await MeasureAsync(durability, count: s_full ? 10_000 : 200, size: 8 * 1024);

    private async Task MeasureAsync(LocalDurability durability, int count, int size)
    {
        using var root = new TempDirectory();
        var data = new byte[size];
        new Random(size).NextBytes(data);
        var names = Enumerable.Range(0, count).Select(i => $"{i:x4}{Guid.NewGuid():N}").ToList();
        using var store = new LocalBlockStore(new LocalBlockStoreOptions(root.Path) { Durability = durability });
        // Start from a clean file system: write-back left by earlier tests would otherwise land in this flush.
        NativeFileSystem.SyncFileSystem(root.Path);

        var stopwatch = Stopwatch.StartNew();
        // Four writers, as the encoder pool would put blocks.
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (name, cancellationToken) => await store.PutAsync(name, data, cancellationToken));
        var putTime = stopwatch.Elapsed;
        await store.FlushAsync(CancellationToken.None);
        var total = stopwatch.Elapsed;

        var megabytes = (double)count * size / (1024 * 1024);
        output.WriteLine(
            $"{durability,-13} {count,6} x {size / 1024,5} KiB: puts {putTime.TotalMilliseconds,8:F0} ms, flush {(total - putTime).TotalMilliseconds,7:F0} ms, " +
            $"total {total.TotalMilliseconds,8:F0} ms = {megabytes / total.TotalSeconds,7:F1} MiB/s, {count / total.TotalSeconds,8:F0} files/s");
        var listed = 0;
        await foreach (var _ in store.ListAsync(CancellationToken.None))
        {
            listed++;
        }

        Assert.Equal(count, listed);
    }
}
