using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// Bad input and faults through the real CLI: the README's exit code, one clear `isg: error:` line naming the thing,
/// and nothing half-written left behind.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AnyCommand_WrongPassphrase_ExitsFourAndChangesNothing()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("t"), seed: 41);
        tree.AddFile("a.txt", 100, ContentKind.Text);
        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);
        var blocks = sandbox.StoredObjects;
        sandbox.Environment["ISG_PASSPHRASE"] = "not the passphrase";

        (await sandbox.RunAsync("ls")).AssertError(4, "wrong passphrase", sandbox.Repo);
        (await sandbox.RunAsync("add", "t", "--reread")).AssertError(4, "wrong passphrase");
        (await sandbox.RunAsync("get", "t", "-o", sandbox.PathOf("out"))).AssertError(4, "wrong passphrase");
        (await sandbox.RunAsync("rm", "t", "-r")).AssertError(4, "wrong passphrase");

        Assert.False(Path.Exists(sandbox.PathOf("out")));
        Assert.Equal(blocks, sandbox.StoredObjects);
        sandbox.Environment["ISG_PASSPHRASE"] = sandbox.Passphrase;
        Assert.Equal(["t", "t/a.txt"], (await sandbox.RunAsync("ls")).AssertExit(0).Lines);
    }

    [Fact]
    public async Task AnyCommand_NoPassphraseAndStdinNotATerminal_ExitsFour()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        sandbox.Environment["ISG_PASSPHRASE"] = null;

        (await sandbox.RunAsync("ls")).AssertError(4, "ISG_PASSPHRASE");
        (await sandbox.RunAsync("stats")).AssertError(4, "ISG_PASSPHRASE");

        var other = sandbox.PathOf("other-repo");
        (await sandbox.RunAsync("init", other, "--kdf-memory", "8")).AssertError(4, "ISG_PASSPHRASE");
        Assert.False(Path.Exists(Path.Combine(other, "isg-repository.json")));
    }

    [Fact]
    public async Task AnyCommand_NoRepository_ExitsThreeNamingThePlace()
    {
        using var sandbox = new IsgSandbox(output);
        var nowhere = sandbox.PathOf("nowhere");
        sandbox.Environment["ISG_REPO"] = nowhere;
        File.WriteAllText(sandbox.PathOf("file.txt"), "x");

        foreach (var args in new string[][] { ["ls"], ["stats"], ["check"], ["add", "file.txt"], ["get", "x"], ["rm", "x"], ["config", "list"] })
        {
            var result = (await sandbox.RunAsync(args)).AssertError(3, nowhere);
            Assert.DoesNotContain("isg: warning:", result.Stderr, StringComparison.Ordinal);
        }

        // --repo wins over ISG_REPO.
        (await sandbox.RunAsync("ls", "--repo", sandbox.PathOf("elsewhere"))).AssertError(3, sandbox.PathOf("elsewhere"));
        Assert.False(Path.Exists(nowhere));
        Assert.False(Path.Exists(sandbox.PathOf("elsewhere")));
    }

    [Fact]
    public async Task Init_NonEmptyFolderOrExistingRepository_ExitsTwoAndTouchesNothing()
    {
        using var sandbox = new IsgSandbox(output);
        var occupied = sandbox.PathOf("occupied");
        Directory.CreateDirectory(occupied);
        File.WriteAllText(Path.Combine(occupied, "mine.txt"), "do not touch");

        (await sandbox.RunAsync("init", occupied, "--kdf-memory", "8")).AssertError(2, occupied);
        Assert.Equal(["mine.txt"], Directory.EnumerateFileSystemEntries(occupied).Select(Path.GetFileName));

        await sandbox.InitAsync();
        var marker = File.ReadAllBytes(Path.Combine(sandbox.Repo, "isg-repository.json"));
        (await sandbox.RunAsync("init", "--kdf-memory", "8")).AssertError(2, sandbox.Repo);
        Assert.Equal(marker, File.ReadAllBytes(Path.Combine(sandbox.Repo, "isg-repository.json")));
    }

    [Fact]
    public async Task Add_MissingPath_ExitsSixAndAddsNothing()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        File.WriteAllText(sandbox.PathOf("present.txt"), "here");

        (await sandbox.RunAsync("add", "present.txt", "absent.txt")).AssertError(6, "absent.txt");

        Assert.Empty((await sandbox.RunAsync("ls")).AssertExit(0).Lines);
        Assert.Empty(sandbox.StoredObjects);
    }

    [Fact]
    public async Task GetAndLs_PathNotInCatalogue_ExitSixAndWriteNothing()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("t"), seed: 42);
        tree.AddFile("a.txt", 100, ContentKind.Text);
        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);

        (await sandbox.RunAsync("get", "t/missing.txt", "-o", sandbox.PathOf("out"))).AssertError(6, "t/missing.txt");
        (await sandbox.RunAsync("get", "nothing/here")).AssertError(6, "nothing/here");
        (await sandbox.RunAsync("ls", "t/missing.txt")).AssertError(6, "t/missing.txt");
        (await sandbox.RunAsync("rm", "t/missing.txt")).AssertError(6, "t/missing.txt");

        Assert.False(Path.Exists(sandbox.PathOf("out")));
        Assert.False(Path.Exists(sandbox.PathOf("here")));
    }

    [Fact]
    public async Task Get_CorruptBlock_ExitsFiveKeepsNoDamagedFileAndRestoresTheOthers()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitWithoutParityAsync();
        var (tree, victimBlocks) = await AddTreeWithVictimAsync(sandbox);
        sandbox.DamageObject(victimBlocks[0], bytes =>
        {
            bytes[bytes.Length / 2] ^= 0x20;
            return bytes;
        });

        var get = await sandbox.RunAsync("get", "f", "-o", sandbox.PathOf("out"));

        get.AssertError(5, "f/victim.bin");
        AssertRestoredAllBut(tree, sandbox.PathOf("out"), "victim.bin");
        (await sandbox.RunAsync("get", "f/victim.bin", "-o", sandbox.PathOf("single.bin"))).AssertError(5, "f/victim.bin");
        Assert.False(Path.Exists(sandbox.PathOf("single.bin")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Root, "*.tmp"));
        (await sandbox.RunAsync("check", "--read-data")).AssertError(5, "f/victim.bin");
    }

    [Fact]
    public async Task Get_DeletedBlock_ExitsFiveAndCheckNamesTheFile()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitWithoutParityAsync();
        var (tree, victimBlocks) = await AddTreeWithVictimAsync(sandbox);
        sandbox.DeleteObject(victimBlocks[^1]);

        (await sandbox.RunAsync("get", "f", "-o", sandbox.PathOf("out"))).AssertError(5, "f/victim.bin");

        AssertRestoredAllBut(tree, sandbox.PathOf("out"), "victim.bin");
        (await sandbox.RunAsync("check")).AssertError(5, "f/victim.bin");
        (await sandbox.RunAsync("check", "--read-data")).AssertError(5, "f/victim.bin");
    }

    [Fact]
    public async Task AnyCommand_DamagedCatalogue_ExitsEightNamingIt()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("t"), seed: 43);
        tree.AddFile("a.bin", 50_000);
        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);
        var catalog = Path.Combine(sandbox.Repo, "catalog.db");
        var garbage = new byte[new FileInfo(catalog).Length];
        new Random(43).NextBytes(garbage);
        File.WriteAllBytes(catalog, garbage);
        var blocks = sandbox.StoredObjects;

        foreach (var args in new string[][] { ["ls"], ["stats"], ["check"], ["add", "t", "--reread"], ["get", "t", "-o", sandbox.PathOf("out")], ["rm", "-r", "t"] })
        {
            (await sandbox.RunAsync(args)).AssertError(8, catalog);
        }

        Assert.Equal(garbage, File.ReadAllBytes(catalog));
        Assert.Equal(blocks, sandbox.StoredObjects);
        Assert.False(Path.Exists(sandbox.PathOf("out")));
    }

    [TmpfsFact]
    public async Task Add_DiskFills_ExitsSevenKeepsACleanRepositoryAndEveryAddedFileRestores()
    {
        using var sandbox = new IsgSandbox(output);
        var mount = sandbox.PathOf("small-disk");
        Assert.True(sandbox.TryMountTmpfs(mount, 20, out var why), why);
        sandbox.Repo = Path.Combine(mount, "repo");
        sandbox.Environment["ISG_REPO"] = sandbox.Repo;
        await sandbox.InitAsync();
        // Small files first (a full batch of them is committed while the big ones are still being stored), then
        // 30 MiB of incompressible data for a 20 MiB disk.
        var tree = new TestTree(sandbox.PathOf("data"), seed: 44);
        tree.AddManyFiles("a-small", 600, maxDepth: 2, maxSize: 2000);
        for (var i = 0; i < 30; i++)
        {
            tree.AddFile($"big/part{i:D2}.bin", (1 << 20) + (i * 4099));
        }

        tree.Seal();

        var add = await sandbox.RunAsync("add", "data");

        add.AssertError(7, "disk full");
        var added = add.PathsWith("added");
        sandbox.Log($"{added.Count} entries were acknowledged before the disk filled");
        Assert.InRange(added.Count(p => p.StartsWith("data/big/part", StringComparison.Ordinal)), 0, 25);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(sandbox.Repo, "blocks", "tmp")));
        (await sandbox.RunAsync("check")).AssertExit(0);
        var listed = (await sandbox.RunAsync("ls")).AssertExit(0).Lines;
        Assert.Equal(added.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        if (added.Count > 0)
        {
            var restored = sandbox.PathOf("restored");
            (await sandbox.RunAsync("get", "data", "-o", restored)).AssertExit(0);
            foreach (var path in added.Where(p => p != "data"))
            {
                TestTree.AssertSameEntry(tree.PathOf(path["data/".Length..]), Path.Combine(restored, path["data/".Length..]));
            }
        }

        (await sandbox.RunAsync("check", "--read-data")).AssertExit(0);
    }

    [TmpfsFact]
    public async Task Add_CatalogueFillsTheDisk_ExitsSevenAndKeepsEveryAddedEntry()
    {
        using var sandbox = new IsgSandbox(output);
        var mount = sandbox.PathOf("small-disk");
        Assert.True(sandbox.TryMountTmpfs(mount, 4, out var why), why);
        sandbox.Repo = Path.Combine(mount, "repo");
        sandbox.Environment["ISG_REPO"] = sandbox.Repo;
        await sandbox.InitAsync();
        // Empty files have no blocks: only catalogue rows grow, so the catalogue is what hits the full disk.
        var tree = new TestTree(sandbox.PathOf("names"), seed: 47);
        for (var i = 0; i < 4000; i++)
        {
            tree.AddFile($"{i % 40:D2}/an-empty-file-with-a-rather-long-name-to-fill-catalogue-pages-{i:D5}", 0);
        }

        tree.Seal();
        using (var filler = new FileStream(Path.Combine(mount, "filler"), FileMode.CreateNew))
        {
            // Written, not SetLength: tmpfs does not allocate a sparse file's holes.
            var zeros = new byte[64 << 10];
            for (var left = new DriveInfo(mount).AvailableFreeSpace - (256 << 10); left > 0; left -= zeros.Length)
            {
                filler.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
            }
        }

        var add = await sandbox.RunAsync("add", "names");

        add.AssertError(7, "disk full");
        File.Delete(Path.Combine(mount, "filler"));
        (await sandbox.RunAsync("check")).AssertExit(0);
        var added = add.PathsWith("added");
        Assert.Equal(added.Order(StringComparer.Ordinal), (await sandbox.RunAsync("ls")).AssertExit(0).Lines.Order(StringComparer.Ordinal));
        Assert.InRange(added.Count, 0, 4000);
    }

    [Fact]
    public async Task Add_UnreadableEntry_ExitsNineNamingItAndAddsTheRest()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("mix"), seed: 45);
        tree.AddManyFiles("", 20, maxDepth: 2, maxSize: 30_000);
        Posix.MakeFifo(tree.PathOf("a-fifo"), 0b110_100_100);
        tree.Seal();

        var add = await sandbox.RunAsync("add", "mix");

        add.AssertExit(9);
        Assert.Contains("a-fifo", add.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, add.AddSummary().Failed);
        File.Delete(tree.PathOf("a-fifo"));
        var restored = sandbox.PathOf("restored");
        (await sandbox.RunAsync("get", "mix", "-o", restored)).AssertExit(0);
        // The folder's own mtime changed when the FIFO was deleted; everything else must match exactly.
        TestTree.AssertSame(tree.Root, restored, compareRoot: false);
    }

    // Adds f/victim.bin alone (so the objects it creates are known), then the rest of f.
    private static async Task<(TestTree Tree, IReadOnlyList<string> VictimBlocks)> AddTreeWithVictimAsync(IsgSandbox sandbox)
    {
        var tree = new TestTree(sandbox.PathOf("f"), seed: 46);
        tree.AddFile("victim.bin", 3 << 20);
        tree.AddManyFiles("others", 12, maxDepth: 2, maxSize: 100_000);
        tree.AddFile("z-last.bin", 1 << 20);
        tree.Seal();
        (await sandbox.RunAsync("add", "f/victim.bin")).AssertExit(0);
        var victimBlocks = sandbox.StoredObjects;
        Assert.NotEmpty(victimBlocks);
        (await sandbox.RunAsync("add", "f")).AssertExit(0);
        return (tree, victimBlocks);
    }

    private static void AssertRestoredAllBut(TestTree tree, string restored, string missing)
    {
        Assert.False(Path.Exists(Path.Combine(restored, missing)), $"{missing} was left at the target");
        var leftovers = Directory.EnumerateFileSystemEntries(restored, "*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".tmp", StringComparison.Ordinal) || p.Contains(".isg-", StringComparison.Ordinal)).ToList();
        Assert.Empty(leftovers);
        foreach (var (path, _) in tree.Files.Where(f => f.Path != missing))
        {
            TestTree.AssertSameEntry(tree.PathOf(path), Path.Combine(restored, path));
        }
    }
}
