using System.Collections.Concurrent;
using Isg.Actors.Backends.Local;
using Isg.Actors.Catalog;
using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Isg.Actors.Storage;
using Isg.Actors.Transfers;
using Isg.TestKit;
using Microsoft.Extensions.Logging;
using Isg.Actors.Tests.Backends;

namespace Isg.Actors.Tests.Hosting;

public sealed class StorageNodeTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly RecordingLoggerFactory _logs = new();
    private StorageNode _node = null!;

    private string Src => _dir.Combine("src");

    private Repository Repository => _node.Repository;

    public Task InitializeAsync()
    {
        // These tests are about blocks without parity (what damage does to them, what rm frees); the striped
        // behaviour is tested in Striping/StripedRepositoryTests.
        var repository = TestRepository.Create(_dir);
        repository.Settings.Set(RepositorySettings.RedundancyKey, "0");
        _node = StorageNode.Start(repository, _logs, new StorageNodeOptions(Workers: 2));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>
    /// src/ with a small text file, a multi-block file and its copy (dedup), an empty file, an empty directory,
    /// symlinks (to a file, to a directory, dangling) and a unicode name; nanosecond mtimes and various modes.
    /// </summary>
    private Dictionary<string, byte[]> BuildTree()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["docs/readme.txt"] = TestFiles.Text(30_000, seed: 1),
            ["docs/big.bin"] = TestFiles.Random(300_000, seed: 2),
            ["copy-of-big.bin"] = TestFiles.Random(300_000, seed: 2),
            ["empty.txt"] = [],
            ["unicode/café ☕.txt"] = TestFiles.Text(5_000, seed: 3),
            ["one-byte"] = [42],
        };
        foreach (var (path, contents) in files)
        {
            TestFiles.Write(Path.Combine(Src, path), contents);
        }

        Directory.CreateDirectory(Path.Combine(Src, "docs", "empty-dir"));
        File.CreateSymbolicLink(Path.Combine(Src, "link-to-readme"), "docs/readme.txt");
        Directory.CreateSymbolicLink(Path.Combine(Src, "link-to-docs"), "docs");
        File.CreateSymbolicLink(Path.Combine(Src, "dangling"), "no/such/file");
        File.SetUnixFileMode(Path.Combine(Src, "docs", "big.bin"), (UnixFileMode)0x1C0);
        File.SetUnixFileMode(Path.Combine(Src, "docs", "empty-dir"), (UnixFileMode)0x1E8);
        var mtime = 1_650_000_000_123_456_789L;
        foreach (var entry in Entries(Src).Append(Src).OrderByDescending(p => p.Length))
        {
            NativeFileSystem.SetModificationTime(entry, mtime += 1_000_000_007);
        }

        return files;
    }

    /// <summary>100 random files of 16 KiB (one to sixteen chunks each) directly in src/.</summary>
    private Dictionary<string, byte[]> ManySmallFiles()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 100; i++)
        {
            files[$"f{i:D3}"] = TestFiles.Write(Path.Combine(Src, $"f{i:D3}"), TestFiles.Random(16_384, seed: 1000 + i));
        }

        return files;
    }

    private async Task RestartNodeAsync(StorageNodeOptions options)
    {
        await _node.DisposeAsync();
        _node = StorageNode.Start(Isg.Actors.Repositories.Repository.Open(_dir.Combine("repo"), TestRepository.Passphrase, _logs), _logs, options);
    }

    private static IReadOnlyList<IngestSource> Sources(string local, string catalog) => [new IngestSource(local, catalog)];

    private Task<IngestReport> AddAsync(IProgress<TransferProgress>? progress = null, IngestOptions? options = null, CancellationToken cancellationToken = default) =>
        _node.AddAsync(Sources(Src, "src"), options ?? new IngestOptions(), progress, cancellationToken).WaitAsync(Within, CancellationToken.None);

    private Task<RestoreReport> RestoreAsync(string catalogPath, string output, bool overwrite = false, IProgress<TransferProgress>? progress = null) =>
        _node.RestoreAsync(new RestoreRequest(catalogPath, output, overwrite), progress, CancellationToken.None).WaitAsync(Within);

    private List<FileEntry> Catalogue(string prefix = "")
    {
        using var reader = Repository.Catalog.CreateReader();
        return reader.ListFiles(prefix).ToList();
    }

    private async Task<HashSet<string>> ObjectsAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var name in Repository.Backends.Primary.ListAsync(CancellationToken.None))
        {
            names.Add(name);
        }

        return names;
    }

    private LocalBlockStore Local => StoredObjects.Local(Repository.Backends.Primary);

    private List<string> BlocksOf(string path)
    {
        using var reader = Repository.Catalog.CreateReader();
        var entry = reader.GetFile(path) ?? throw new InvalidOperationException(path + " not catalogued");
        return reader.GetFileBlocks(entry.Id).Select(b => Repository.Key.ObjectName(b.Id)).ToList();
    }

    /// <summary>Every entry below <paramref name="root"/> (symlinks not followed), as relative path → (kind, size, mode, mtime, link target).</summary>
    private static SortedDictionary<string, (FileStatusKind Kind, long Size, int Mode, long Mtime, string? Link)> Describe(string root)
    {
        var result = new SortedDictionary<string, (FileStatusKind, long, int, long, string?)>(StringComparer.Ordinal);
        foreach (var entry in Entries(root))
        {
            var status = NativeFileSystem.GetStatus(entry);
            var link = status.Kind == FileStatusKind.Symlink ? new FileInfo(entry).LinkTarget : null;
            // A symlink's own mode is always 0777 on Linux and cannot be set.
            var mode = status.Kind == FileStatusKind.Symlink ? 0 : status.Mode;
            result[Path.GetRelativePath(root, entry)] = (status.Kind, status.Kind == FileStatusKind.Directory ? 0 : status.Size, mode, status.MtimeUnixNs, link);
        }

        return result;
    }

    /// <summary>Every path below <paramref name="root"/>, never descending through a symlink.</summary>
    private static IEnumerable<string> Entries(string root)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(root))
        {
            yield return entry;
            if (NativeFileSystem.GetStatus(entry).Kind == FileStatusKind.Directory)
            {
                foreach (var below in Entries(entry))
                {
                    yield return below;
                }
            }
        }
    }

    private static void AssertSameTree(string expected, string actual)
    {
        Assert.Equal(Describe(expected), Describe(actual));
        foreach (var file in Entries(expected).Where(e => NativeFileSystem.GetStatus(e).Kind == FileStatusKind.Regular))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(actual, Path.GetRelativePath(expected, file))));
        }

        Assert.Equal(NativeFileSystem.GetStatus(expected).MtimeUnixNs, NativeFileSystem.GetStatus(actual).MtimeUnixNs);
    }

    private static IEnumerable<string> TempFiles(string root) =>
        Directory.EnumerateFiles(root, "*.tmp", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 });

    [Fact]
    public async Task AddAsync_SmallTree_ReportsCountsAndCataloguesEveryEntry()
    {
        var files = BuildTree();

        var report = await AddAsync();

        var entries = Catalogue();
        var expectedPaths = Describe(Src).Keys.Select(p => "src/" + p).Append("src").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedPaths, entries.Select(e => e.Path));
        Assert.Equal(entries.Count, report.FilesAdded);
        Assert.Equal(0, report.FilesFailed);
        Assert.Equal(0, report.FilesUnchanged);
        Assert.Empty(report.Failures);
        Assert.Equal(files.Values.Sum(f => (long)f.Length), report.BytesRead);
        Assert.Equal(report.NewBlocks, (await ObjectsAsync()).Count);
        // The copy of big.bin is entirely deduplicated.
        Assert.Equal(BlocksOf("src/docs/big.bin").Count, report.DedupBlocks);
        Assert.Equal(BlocksOf("src/docs/big.bin"), BlocksOf("src/copy-of-big.bin"));
        Assert.True(report.BytesStored < report.BytesRead, $"stored {report.BytesStored} of {report.BytesRead}");

        var byPath = entries.ToDictionary(e => e.Path);
        Assert.Equal(FileKind.Directory, byPath["src/docs/empty-dir"].Kind);
        Assert.Equal(0x1E8, byPath["src/docs/empty-dir"].Mode);
        Assert.Equal(0x1C0, byPath["src/docs/big.bin"].Mode);
        Assert.Equal(FileKind.Symlink, byPath["src/link-to-docs"].Kind);
        Assert.Equal("docs", byPath["src/link-to-docs"].LinkTarget);
        Assert.Equal("no/such/file", byPath["src/dangling"].LinkTarget);
        Assert.Equal(0, byPath["src/empty.txt"].BlockCount);
        Assert.Equal(300_000, byPath["src/docs/big.bin"].Size);
        Assert.True(byPath["src/docs/big.bin"].BlockCount > 10);
        Assert.Equal(NativeFileSystem.GetStatus(Path.Combine(Src, "docs", "readme.txt")).MtimeUnixNs, byPath["src/docs/readme.txt"].MtimeUnixNs);
        Assert.Empty(Repository.Catalog.IntegrityCheck());
    }

    [Fact]
    public async Task AddAsync_Progress_FileDoneOnlyOnceCataloguedAndCompletedLast()
    {
        BuildTree();
        var events = new List<TransferProgress>();
        var notYetCatalogued = new List<string>();
        var progress = new SyncProgress<TransferProgress>(p =>
        {
            events.Add(p);
            if (p.Event == TransferEvent.FileDone)
            {
                // A fresh reader: the acknowledgement must come after the commit, never before.
                using var reader = Repository.Catalog.CreateReader();
                if (reader.GetFile(p.Path) is null)
                {
                    notYetCatalogued.Add(p.Path);
                }
            }
        });

        var report = await AddAsync(progress);

        Assert.Empty(notYetCatalogued);
        Assert.Equal(TransferEvent.Scanned, events[0].Event);
        Assert.Equal(TransferEvent.Completed, events[^1].Event);
        Assert.Single(events, e => e.Event == TransferEvent.Completed);
        var done = events.Where(e => e.Event == TransferEvent.FileDone).Select(e => e.Path).ToList();
        Assert.Equal(done.Distinct().Count(), done.Count);
        Assert.Equal(Catalogue().Select(e => e.Path).Order(StringComparer.Ordinal), done.Order(StringComparer.Ordinal));
        Assert.Equal(report.FilesAdded, done.Count);
        var last = events[^1];
        Assert.Equal(last.TotalFiles, last.Files);
        Assert.Equal(last.TotalBytes, last.Bytes);
        Assert.Equal(report.BytesRead, last.Bytes);
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.Second.Bytes >= pair.First.Bytes), "byte counts never go back");
    }

    [Fact]
    public async Task AddAsync_SkippedFifo_IsCountedAsFailedAndTheRestIsAdded()
    {
        TestFiles.Write(Path.Combine(Src, "a.txt"), [1, 2, 3]);
        TestFiles.MakeFifo(Path.Combine(Src, "pipe"));
        var failed = new List<TransferProgress>();

        var report = await AddAsync(new SyncProgress<TransferProgress>(p =>
        {
            if (p.Event == TransferEvent.FileFailed)
            {
                failed.Add(p);
            }
        }));

        Assert.Equal(2, report.FilesAdded);
        Assert.Equal(1, report.FilesFailed);
        Assert.Contains("FIFO", Assert.Single(report.Failures), StringComparison.Ordinal);
        Assert.Single(failed);
        Assert.Equal(["src", "src/a.txt"], Catalogue().Select(e => e.Path));
    }

    [Fact]
    public async Task AddAsync_Again_FindsEverythingUnchangedAndStoresNothing()
    {
        BuildTree();
        var first = await AddAsync();
        var objects = await ObjectsAsync();

        var second = await AddAsync();

        Assert.Equal(0, second.FilesAdded);
        Assert.Equal(first.FilesAdded, second.FilesUnchanged);
        Assert.Equal(0, second.BytesRead);
        Assert.Equal(objects, await ObjectsAsync());
    }

    [Fact]
    public async Task AddAsync_ChangedFile_IsAddedAgainAndItsOldBlocksAreReleased()
    {
        BuildTree();
        await AddAsync();
        var readme = Path.Combine(Src, "docs", "readme.txt");
        var newContents = TestFiles.Text(40_000, seed: 99);
        File.WriteAllBytes(readme, newContents);
        NativeFileSystem.SetModificationTime(readme, 1_700_000_000_000_000_001);

        var report = await AddAsync();

        Assert.Equal(1, report.FilesAdded);
        Assert.Equal(newContents.Length, report.BytesRead);
        var entry = Catalogue("src/docs/readme.txt").Single();
        Assert.Equal(newContents.Length, entry.Size);
        Assert.Equal(1_700_000_000_000_000_001, entry.MtimeUnixNs);
        var output = _dir.Combine("out-readme");
        await RestoreAsync("src/docs/readme.txt", output);
        Assert.Equal(newContents, File.ReadAllBytes(output));
    }

    [Fact]
    public async Task AddAsync_Reread_ReadsEverythingAndDeduplicatesIt()
    {
        var files = BuildTree();
        var first = await AddAsync();

        var again = await AddAsync(options: new IngestOptions(Reread: true));

        Assert.Equal(first.FilesAdded, again.FilesAdded);
        Assert.Equal(files.Values.Sum(f => (long)f.Length), again.BytesRead);
        Assert.Equal(0, again.NewBlocks);
        Assert.Equal(0, again.BytesStored);
    }

    [Fact]
    public async Task RestoreAsync_WholeTree_RoundTripsContentsModesMtimesAndSymlinks()
    {
        var files = BuildTree();
        await AddAsync();
        var output = _dir.Combine("out");
        var events = new List<TransferProgress>();

        var report = await RestoreAsync("src", output, progress: new SyncProgress<TransferProgress>(events.Add));

        AssertSameTree(Src, output);
        Assert.Empty(report.Failures);
        Assert.Equal(Catalogue().Count, report.Files);
        Assert.Equal(files.Values.Sum(f => (long)f.Length), report.Bytes);
        Assert.Empty(TempFiles(output));
        Assert.Equal(TransferEvent.Completed, events[^1].Event);
        Assert.Equal(report.Files, events.Count(e => e.Event == TransferEvent.FileDone));
    }

    [Fact]
    public async Task RestoreAsync_SingleFile_ToANewPathOrIntoAnExistingFolder()
    {
        var files = BuildTree();
        await AddAsync();
        var newPath = _dir.Combine("restored.bin");
        var folder = _dir.Combine("folder");
        Directory.CreateDirectory(folder);

        await RestoreAsync("src/docs/big.bin", newPath);
        await RestoreAsync("src/docs/big.bin", folder);

        Assert.Equal(files["docs/big.bin"], File.ReadAllBytes(newPath));
        Assert.Equal(files["docs/big.bin"], File.ReadAllBytes(Path.Combine(folder, "big.bin")));
        Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(newPath));
    }

    [Fact]
    public async Task RestoreAsync_CorruptedBlock_FailsThatFileOnlyAndLeavesNoTempFiles()
    {
        var files = BuildTree();
        await AddAsync();
        var victim = BlocksOf("src/docs/readme.txt")[1];
        Local.Flip(victim, mask: 0xFF);
        var output = _dir.Combine("out");

        var report = await RestoreAsync("src", output);

        var failure = Assert.Single(report.Failures);
        Assert.StartsWith("src/docs/readme.txt:", failure, StringComparison.Ordinal);
        Assert.Contains("damaged", failure, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "docs", "readme.txt")));
        Assert.Empty(TempFiles(output));
        foreach (var (relative, contents) in files.Where(f => f.Key != "docs/readme.txt"))
        {
            Assert.Equal(contents, File.ReadAllBytes(Path.Combine(output, relative)));
        }

        Assert.Equal("docs/readme.txt", new FileInfo(Path.Combine(output, "link-to-readme")).LinkTarget);
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("src/docs/readme.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RestoreAsync_MissingBlock_FailsThatFileOnly()
    {
        var files = BuildTree();
        await AddAsync();
        Local.Lose(BlocksOf("src/unicode/café ☕.txt")[0]);
        var output = _dir.Combine("out");

        var report = await RestoreAsync("src/unicode", output);

        Assert.StartsWith("src/unicode/café ☕.txt:", Assert.Single(report.Failures), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public async Task RestoreAsync_RelativeOutputPath_RestoresThere()
    {
        BuildTree();
        await AddAsync();
        var output = _dir.Combine("relative-out");

        var report = await RestoreAsync("src", Path.GetRelativePath(Environment.CurrentDirectory, output));

        Assert.Empty(report.Failures);
        AssertSameTree(Src, output);
    }

    [Fact]
    public async Task RestoreAsync_EmptyOutputPath_ThrowsArgumentException() =>
        await Assert.ThrowsAsync<ArgumentException>(() => RestoreAsync("src", string.Empty));

    [Fact]
    public async Task RestoreAsync_Symlink_IsRecreatedAsASymlink()
    {
        BuildTree();
        await AddAsync();
        var output = _dir.Combine("link-out");

        await RestoreAsync("src/link-to-docs", output);

        Assert.Equal("docs", new FileInfo(output).LinkTarget);
    }

    [Fact]
    public async Task RestoreAsync_EntryBelowASymlinkInTheCatalogue_IsNotWrittenThroughTheLink()
    {
        // A walk never records entries below a symlink, but a damaged or forged catalogue can.
        BuildTree();
        await AddAsync();
        var outside = _dir.Combine("outside");
        Directory.CreateDirectory(outside);
        using (var reader = Repository.Catalog.CreateReader())
        using (var writer = Repository.Catalog.CreateWriter())
        {
            var real = reader.GetFile("src/one-byte")!;
            var blocks = reader.GetFileBlocks(real.Id).ToList();
            writer.Commit(
            [
                new FileCommit("evil", FileKind.Directory, 0, 0x1ED, 0, null, default, [], []),
                new FileCommit("evil/link", FileKind.Symlink, 0, 0x1FF, 0, outside, default, [], []),
                new FileCommit("evil/link/pwned", FileKind.File, real.Size, 0x1A4, 0, null, real.MerkleRoot, reader.GetManifest(real.Id)!, blocks),
            ], []);
        }

        var output = _dir.Combine("out");
        var report = await RestoreAsync("evil", output);

        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.StartsWith("evil/link/pwned:", Assert.Single(report.Failures), StringComparison.Ordinal);
        Assert.Equal(outside, new FileInfo(Path.Combine(output, "link")).LinkTarget);
    }

    [Fact]
    public async Task RestoreAsync_UnknownPath_ThrowsCatalogPathNotFound()
    {
        BuildTree();
        await AddAsync();

        var e = await Assert.ThrowsAsync<CatalogPathNotFoundException>(() => RestoreAsync("src/nothing-here", _dir.Combine("out")));

        Assert.Equal("src/nothing-here", e.CatalogPath);
        Assert.False(Directory.Exists(_dir.Combine("out")));
    }

    [Fact]
    public async Task RestoreAsync_EmptyRepository_ThrowsCatalogPathNotFound() =>
        await Assert.ThrowsAsync<CatalogPathNotFoundException>(() => RestoreAsync(string.Empty, _dir.Combine("out")));

    [Fact]
    public async Task RestoreAsync_ExistingFile_IsKeptUnlessOverwriting()
    {
        var files = BuildTree();
        await AddAsync();
        var output = _dir.Combine("out");
        TestFiles.Write(Path.Combine(output, "one-byte"), [7, 7]);

        var kept = await RestoreAsync("src", output);

        Assert.Contains(kept.Failures, f => f.StartsWith("src/one-byte:", StringComparison.Ordinal) && f.Contains("exists", StringComparison.Ordinal));
        Assert.Equal([7, 7], File.ReadAllBytes(Path.Combine(output, "one-byte")));
        Assert.Equal(files["docs/big.bin"], File.ReadAllBytes(Path.Combine(output, "docs", "big.bin")));

        var replaced = await RestoreAsync("src", output, overwrite: true);

        Assert.Empty(replaced.Failures);
        AssertSameTree(Src, output);
    }

    [Fact]
    public async Task AddAsync_CancelledMidway_ThrowsAndEverythingAcknowledgedIsCataloguedAndRestorable()
    {
        // Many small multi-chunk files: with one worker and few chunks in flight, the reader is far from done when
        // the 40th chunk comes back (it can be at most a few chunks ahead of the encoders' answers).
        await RestartNodeAsync(new StorageNodeOptions(Workers: 1, InFlightBytes: 1));
        var files = ManySmallFiles();

        using var cancel = new CancellationTokenSource();
        var done = new ConcurrentBag<string>();
        var chunks = 0;
        var progress = new SyncProgress<TransferProgress>(p =>
        {
            if (p.Event == TransferEvent.Bytes && ++chunks == 40)
            {
                cancel.Cancel();
            }
            else if (p.Event == TransferEvent.FileDone)
            {
                done.Add(p.Path);
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AddAsync(progress, cancellationToken: cancel.Token));

        var acknowledged = done.Order(StringComparer.Ordinal).ToList();
        Assert.Contains("src", acknowledged);
        Assert.True(acknowledged.Count >= 3, $"acknowledged: {string.Join(", ", acknowledged)}");
        Assert.True(acknowledged.Count < 50, $"acknowledged {acknowledged.Count}: the add was not stopped");
        Assert.Equal(acknowledged, Catalogue().Select(e => e.Path));
        Assert.Empty(Repository.Catalog.IntegrityCheck());
        var output = _dir.Combine("out");
        var restored = await RestoreAsync("src", output);
        Assert.Empty(restored.Failures);
        foreach (var path in acknowledged.Where(p => p != "src"))
        {
            Assert.Equal(files[path["src/".Length..]], File.ReadAllBytes(Path.Combine(output, path["src/".Length..])));
        }
    }

    [Fact]
    public async Task RestoreAsync_CancelledMidway_ThrowsAndLeavesOnlyWholeVerifiedFiles()
    {
        await RestartNodeAsync(new StorageNodeOptions(Workers: 2, InFlightBytes: 1));
        var files = ManySmallFiles();
        await AddAsync();
        using var cancel = new CancellationTokenSource();
        var blocks = 0;
        var progress = new SyncProgress<TransferProgress>(p =>
        {
            if (p.Event == TransferEvent.Bytes && ++blocks == 20)
            {
                cancel.Cancel();
            }
        });
        var output = _dir.Combine("out");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _node.RestoreAsync(new RestoreRequest("src", output, Overwrite: false), progress, cancel.Token).WaitAsync(Within, CancellationToken.None));

        Assert.Empty(TempFiles(output));
        var restored = Directory.GetFiles(output).Select(Path.GetFileName).ToList();
        Assert.NotEmpty(restored);
        Assert.True(restored.Count < 50, $"{restored.Count} files restored: the restore was not stopped");
        Assert.All(restored, name => Assert.Equal(files[name!], File.ReadAllBytes(Path.Combine(output, name!))));
    }

    [Fact]
    public async Task RemoveAsync_Subtree_ReleasesItsOwnBlocksForGcAndKeepsSharedOnes()
    {
        var files = BuildTree();
        await AddAsync();
        var readmeBlocks = BlocksOf("src/docs/readme.txt");
        var bigBlocks = BlocksOf("src/docs/big.bin");
        var docs = Catalogue("src/docs").Count;

        var report = await _node.RemoveAsync("src/docs", recursive: true, CancellationToken.None);

        Assert.Equal(docs, report.Entries);
        Assert.Equal(readmeBlocks.Count, report.BlocksReleased);
        Assert.True(report.BytesReclaimable > 0);
        // rm deletes nothing; gc then deletes exactly the released blocks.
        var before = await ObjectsAsync();
        Assert.All(readmeBlocks, b => Assert.Contains(b, before));
        var collected = await _node.CollectGarbageAsync(new Isg.Actors.GarbageCollection.GcOptions(Wait: TimeSpan.Zero), null, CancellationToken.None);
        Assert.Equal(report.BytesReclaimable, collected.BytesDeleted);
        var objects = await ObjectsAsync();
        Assert.All(readmeBlocks, b => Assert.DoesNotContain(b, objects));
        Assert.All(bigBlocks, b => Assert.Contains(b, objects));
        Assert.Empty(Catalogue("src/docs"));
        var output = _dir.Combine("copy");
        await RestoreAsync("src/copy-of-big.bin", output);
        Assert.Equal(files["copy-of-big.bin"], File.ReadAllBytes(output));
        var check = await _node.CheckAsync(readData: true, progress: null, CancellationToken.None);
        Assert.Empty(check.Problems);
    }

    [Fact]
    public async Task RemoveAsync_MissingPathOrDirectoryWithoutRecursive_Throws()
    {
        BuildTree();
        await AddAsync();

        await Assert.ThrowsAsync<CatalogPathNotFoundException>(() => _node.RemoveAsync("src/absent", recursive: true, CancellationToken.None));
        await Assert.ThrowsAsync<CatalogPathIsDirectoryException>(() => _node.RemoveAsync("src/docs", recursive: false, CancellationToken.None));
        Assert.NotEmpty(Catalogue("src/docs"));
        var single = await _node.RemoveAsync("src/one-byte", recursive: false, CancellationToken.None);
        Assert.Equal(1, single.Entries);
    }

    [Fact]
    public async Task CheckAsync_AfterDamage_ReportsMissingAndCorruptBlocks()
    {
        BuildTree();
        await AddAsync();
        Assert.Empty((await _node.CheckAsync(readData: true, progress: null, CancellationToken.None)).Problems);
        var readme = BlocksOf("src/docs/readme.txt");
        Local.Lose(readme[0]);
        Local.Flip(readme[1], -1, mask: 1);

        var quick = await _node.CheckAsync(readData: false, progress: null, CancellationToken.None);
        var full = await _node.CheckAsync(readData: true, progress: null, CancellationToken.None);

        Assert.StartsWith("MissingBlock", Assert.Single(quick.Problems), StringComparison.Ordinal);
        // Each damaged block once: the missing one is not read (and reported corrupt) as well.
        Assert.Equal(2, full.Problems.Count);
        Assert.Single(full.Problems, p => p.StartsWith("MissingBlock", StringComparison.Ordinal) && p.Contains("src/docs/readme.txt", StringComparison.Ordinal));
        Assert.Single(full.Problems, p => p.StartsWith("CorruptBlock: src/docs/readme.txt", StringComparison.Ordinal));
        Assert.Equal(full.BlocksChecked, quick.BlocksChecked - 1);
    }
}
