using FsCheck;
using FsCheck.Fluent;

namespace Isg.Actors.Tests.GarbageCollection;

/// <summary>
/// Issue 3's property: random interleavings of add (new files, edited files, copies, and content of removed files
/// again), rm, snapshot create, snapshot delete and gc, on 3 local backends with 2+1 stripes and small chunks. After
/// every gc, every live file and every snapshot's file restores bit-exactly, and no backend holds an object the
/// catalogue does not know. A stripe of 2 with one dead block reaches the repack threshold (half), so histories
/// repack too: fixed histories known to repack make sure that path is always taken.
/// </summary>
public sealed class GarbageCollectionPropertyTests
{
    private const int Cases = 6;
    private int _repacked;

    [Fact]
    public void Collect_RandomInterleavings_NeverLosesAReferencedBlock()
    {
        var property = Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(),
            seed => Task.Run(() => RunAsync(seed)).GetAwaiter().GetResult());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), property);
    }

    // Whether a history reaches a repack depends on block sizes, and those on the repository's random chunker key,
    // so no seed is sure to: histories run until two have repacked (each one checked as above), at most 30.
    [Fact]
    public async Task Collect_HistoriesThatRepack_NeverLoseAReferencedBlock()
    {
        var histories = 0;
        for (var seed = 1; seed <= 30 && histories < 2; seed++)
        {
            var before = _repacked;
            Assert.True(await RunAsync(seed));
            if (_repacked > before)
            {
                histories++;
            }
        }

        Assert.True(histories == 2, $"only {histories} of 30 histories repacked a stripe");
    }

    private async Task<bool> RunAsync(int seed)
    {
        var random = new Random(seed);
        await using var harness = new GcHarness(extraBackends: 2, redundancy: "2+1");
        var live = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var removed = new List<byte[]>();
        var snapshots = new List<(long Id, Dictionary<string, byte[]> Files)>();
        var names = 0;
        var steps = random.Next(8, 15);
        for (var step = 0; step <= steps; step++)
        {
            var roll = step == steps ? 100 : random.Next(100);
            switch (roll)
            {
                case < 30:
                {
                    // New content, a copy of a live file, or a removed file's content again (its blocks may be dead rows).
                    var name = $"f{names++}";
                    var contents = random.Next(4) switch
                    {
                        0 when live.Count > 0 => live.Values.ElementAt(random.Next(live.Count)).ToArray(),
                        1 when removed.Count > 0 => removed[random.Next(removed.Count)].ToArray(),
                        _ => TestFiles.Random(random.Next(2_000, 60_000), random.Next()),
                    };
                    await harness.AddAsync(name, contents);
                    live[name] = contents;
                    break;
                }

                case < 50 when live.Count > 0:
                {
                    var name = live.Keys.ElementAt(random.Next(live.Count));
                    var contents = live[name].ToArray();
                    var length = Math.Min(contents.Length, random.Next(1, 8_000));
                    TestFiles.Random(length, random.Next()).CopyTo(contents, random.Next(contents.Length - length + 1));
                    await harness.AddAsync(name, contents);
                    removed.Add(live[name]);
                    live[name] = contents;
                    break;
                }

                case < 62 when live.Count > 0:
                {
                    var name = live.Keys.ElementAt(random.Next(live.Count));
                    await harness.Node.RemoveAsync("src/" + name, recursive: false, CancellationToken.None);
                    File.Delete(harness.Local(name));
                    removed.Add(live[name]);
                    live.Remove(name);
                    break;
                }

                case < 72 when live.Count > 0:
                {
                    var snapshot = await harness.Node.CreateSnapshotAsync($"s{step}", CancellationToken.None);
                    snapshots.Add((snapshot.Id, new Dictionary<string, byte[]>(live, StringComparer.Ordinal)));
                    break;
                }

                case < 80 when snapshots.Count > 0:
                {
                    var index = random.Next(snapshots.Count);
                    await harness.Node.DeleteSnapshotsAsync([snapshots[index].Id], CancellationToken.None);
                    snapshots.RemoveAt(index);
                    break;
                }

                case >= 80:
                {
                    var report = await harness.CollectAsync();
                    Assert.Equal(0, report.DeleteFailures);
                    Interlocked.Add(ref _repacked, report.StripesRepacked);
                    foreach (var (name, contents) in live)
                    {
                        Assert.Equal(contents, await harness.RestoreAsync(name));
                    }

                    foreach (var (id, files) in snapshots)
                    {
                        foreach (var (name, contents) in files)
                        {
                            Assert.Equal(contents, await harness.RestoreAsync(name, id));
                        }
                    }

                    Assert.Empty(await harness.UnknownObjectsAsync());
                    break;
                }
            }
        }

        return true;
    }
}
