using FsCheck;
using FsCheck.Fluent;
using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Actors.Restore;
using Isg.Actors.Transfers;
using Isg.TestKit;

namespace Isg.Actors.Tests.Snapshots;

/// <summary>Random histories of adds, edits, deletes and snapshots: every snapshot restores exactly its tree.</summary>
public sealed class SnapshotRestorePropertyTests
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(60);

    // An operation: 0 write a file (new or edited), 1 delete a file, 2 snapshot. File index and content seed.
    private static Gen<(int Kind, int File, int Seed)> Operation =>
        from kind in Gen.Frequency((5, Gen.Constant(0)), (2, Gen.Constant(1)), (2, Gen.Constant(2)))
        from file in Gen.Choose(0, 4)
        from seed in Gen.Choose(0, 1000)
        select (kind, file, seed);

    [Fact]
    public void Restore_EverySnapshotOfARandomHistory_GivesTheTreeAsItWasThen()
    {
        Prop.ForAll(Gen.ListOf(Operation).Select(l => l.Take(12).ToList()).ToArbitrary(), ops =>
        {
            RunHistoryAsync(ops).GetAwaiter().GetResult();
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(6));
    }

    private static async Task RunHistoryAsync(List<(int Kind, int File, int Seed)> ops)
    {
        using var dir = new TempDirectory();
        var node = StorageNode.Start(TestRepository.Create(dir), new RecordingLoggerFactory(), new StorageNodeOptions(Workers: 2));
        await using var scope = node.ConfigureAwait(false);
        var src = dir.Combine("src");
        Directory.CreateDirectory(src);
        var taken = new List<(long Id, Dictionary<string, byte[]> Tree)>();
        var live = new Dictionary<string, byte[]>(StringComparer.Ordinal);

        // Ends with a snapshot so every history checks at least one.
        foreach (var (kind, file, seed) in ops.Append((2, 0, 0)))
        {
            var name = file % 2 == 0 ? $"f{file}.bin" : $"sub/f{file}.bin";
            switch (kind)
            {
                case 0:
                    live[name] = TestFiles.Write(Path.Combine(src, name), TestFiles.Random(seed * 37 % 20_000, seed));
                    break;
                case 1 when live.Remove(name):
                    File.Delete(Path.Combine(src, name));
                    try
                    {
                        await node.RemoveAsync("src/" + name, recursive: false, CancellationToken.None).WaitAsync(s_within);
                    }
                    catch (CatalogPathNotFoundException)
                    {
                        // Written and deleted between two adds: the catalogue never saw it.
                    }
                    break;
                case 2:
                    await node.AddAsync([new IngestSource(src, "src")], new IngestOptions(), null, CancellationToken.None).WaitAsync(s_within);
                    var snapshot = await node.CreateSnapshotAsync($"s{taken.Count}", CancellationToken.None).WaitAsync(s_within);
                    taken.Add((snapshot.Id, new Dictionary<string, byte[]>(live, StringComparer.Ordinal)));
                    break;
                default:
                    break;
            }
        }

        Assert.Empty(node.Repository.Catalog.IntegrityCheck());
        foreach (var (id, tree) in taken)
        {
            var output = dir.Combine($"out-{id}");
            var report = await node.RestoreAsync(new RestoreRequest("src", output, false, id), null, CancellationToken.None).WaitAsync(s_within);
            Assert.Empty(report.Failures);
            var restored = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories)
                .ToDictionary(p => Path.GetRelativePath(output, p), File.ReadAllBytes, StringComparer.Ordinal);
            Assert.Equal(tree.Keys.Order(StringComparer.Ordinal), restored.Keys.Order(StringComparer.Ordinal));
            foreach (var (path, contents) in tree)
            {
                Assert.True(contents.AsSpan().SequenceEqual(restored[path]), $"snapshot {id}: {path} differs");
            }
        }
    }
}
