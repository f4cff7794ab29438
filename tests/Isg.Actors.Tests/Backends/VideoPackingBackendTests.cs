using Isg.Actors.Backends;
using Isg.Actors.Backends.Video;
using Isg.Actors.Video;
using Isg.Protocol.Frames;
using Isg.Protocol.Video;

namespace Isg.Actors.Tests.Backends;

/// <summary>The backend contract plus packing, crash, lost-index and corruption cases, through real ffmpeg with small frames.</summary>
public sealed class VideoPackingBackendTests : BackendConformanceTests, IDisposable
{
    /// <summary>Lossless FFV1 at 320x240 with small groups: a pack of a few hundred KiB encodes in well under a second.</summary>
    internal static readonly VideoProfile SmallProfile = new(
        "test", "FFV1 320x240 RGB for tests",
        new VideoParameters(VideoMode.Rgb, 320, 240, 1, 8, 4, 4, 1, 1, 30),
        VideoProfiles.Lossless.Encoding, HeaderRepeats: 1);

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(Open());

    [Fact]
    public async Task FlushAsync_SpooledObjects_PackedIntoOneVideoAndReadBackFromIt()
    {
        var objects = Objects(12, 20_000);
        using (var backend = Open())
        {
            await PutAllAsync(backend, objects);
            Assert.Equal(objects.Sum(o => o.Data.Length), backend.SpooledBytes);

            await backend.FlushAsync(CancellationToken.None);

            Assert.Equal(0, backend.SpooledBytes);
            Assert.Equal(1, backend.VideoCount);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(backend.RootDirectory, "spool")));
            Assert.Single(Directory.EnumerateFiles(backend.VideosDirectory, "*.mkv"));
            Assert.Single(Directory.EnumerateFiles(backend.VideosDirectory, "*.index"));
        }

        // A fresh instance with no cache has to decode the video.
        Directory.Delete(_root.Combine("cache"), recursive: true);
        using var reopened = Open();
        await AssertHoldsAsync(reopened, objects);
        Assert.Single(Directory.EnumerateFiles(reopened.CacheDirectory, "*.payload"));
    }

    [Fact]
    public async Task PutAsync_SpoolReachesPackSize_SealsWithoutAFlush()
    {
        using var backend = Open(packSize: 50_000);
        var objects = Objects(6, 10_000);

        await PutAllAsync(backend, objects);
        await backend.FlushAsync(CancellationToken.None);

        Assert.True(backend.VideoCount >= 2, $"{backend.VideoCount} videos");
        Assert.All(Directory.EnumerateFiles(backend.VideosDirectory, "*.index"), f => Assert.True(new FileInfo(f).Length > 0));
        await AssertHoldsAsync(backend, objects);
    }

    [Fact]
    public async Task Dispose_WithoutFlush_SpooledObjectsReadableAfterReopenAndPackedLater()
    {
        var objects = Objects(5, 3_000);
        var backend = Open();
        await PutAllAsync(backend, objects);
        backend.Dispose();

        using var reopened = Open();
        Assert.Equal(objects.Sum(o => o.Data.Length), reopened.SpooledBytes);
        await AssertHoldsAsync(reopened, objects);

        await reopened.FlushAsync(CancellationToken.None);
        Assert.Equal(1, reopened.VideoCount);
        Directory.Delete(reopened.CacheDirectory, recursive: true);
        using var third = Open();
        await AssertHoldsAsync(third, objects);
    }

    [Fact]
    public async Task Open_IndexFileLost_RebuildsItFromTheVideo()
    {
        var objects = Objects(7, 5_000);
        using (var backend = Open())
        {
            await PutAllAsync(backend, objects);
            await backend.FlushAsync(CancellationToken.None);
        }

        var index = Assert.Single(Directory.EnumerateFiles(_root.Combine("videos"), "*.index"));
        var written = await File.ReadAllBytesAsync(index);
        File.Delete(index);
        Directory.Delete(_root.Combine("cache"), recursive: true);

        using var reopened = Open();
        await AssertHoldsAsync(reopened, objects);
        Assert.Equal(written, await File.ReadAllBytesAsync(index));
    }

    [Fact]
    public async Task DeleteAsync_EveryObjectOfAVideo_RemovesTheVideoAndSurvivesReopen()
    {
        var objects = Objects(4, 2_000);
        using (var backend = Open())
        {
            await PutAllAsync(backend, objects);
            await backend.FlushAsync(CancellationToken.None);
            await backend.DeleteAsync(objects[0].Name, CancellationToken.None);
        }

        using (var reopened = Open())
        {
            Assert.Equal(objects.Skip(1).Select(o => o.Name).Order(StringComparer.Ordinal), await ListAsync(reopened));
            var gone = await Assert.ThrowsAsync<BackendException>(() => reopened.GetAsync(objects[0].Name, CancellationToken.None));
            Assert.Equal(BackendFailureKind.NotFound, gone.Kind);
            foreach (var (name, _) in objects.Skip(1))
            {
                await reopened.DeleteAsync(name, CancellationToken.None);
            }

            Assert.Equal(0, reopened.VideoCount);
        }

        Assert.Empty(Directory.EnumerateFiles(_root.Combine("videos")));
    }

    [Fact]
    public async Task PutAsync_ReplacingAPackedObject_NewBytesWinAfterFlushAndReopen()
    {
        var name = NewName();
        using (var backend = Open())
        {
            await backend.PutAsync(name, RandomBytes(1000, 1), CancellationToken.None);
            await backend.FlushAsync(CancellationToken.None);
            await backend.PutAsync(name, RandomBytes(700, 2), CancellationToken.None);
            await backend.FlushAsync(CancellationToken.None);
            Assert.Equal(1, backend.VideoCount);
        }

        using var reopened = Open();
        using var owner = await reopened.GetAsync(name, CancellationToken.None);
        Assert.Equal(RandomBytes(700, 2), owner.Memory.ToArray());
    }

    [Fact]
    public async Task GetAsync_VideoCorrupted_FailsTypedNeverWrongBytes()
    {
        var objects = Objects(6, 30_000);
        using (var backend = Open())
        {
            await PutAllAsync(backend, objects);
            await backend.FlushAsync(CancellationToken.None);
        }

        var video = Assert.Single(Directory.EnumerateFiles(_root.Combine("videos"), "*.mkv"));
        var bytes = await File.ReadAllBytesAsync(video);
        // Past the container's header, in frame data: damage every 101st byte of the second half.
        for (var i = bytes.Length / 2; i < bytes.Length; i += 101)
        {
            bytes[i] ^= 0x5a;
        }

        await File.WriteAllBytesAsync(video, bytes);
        Directory.Delete(_root.Combine("cache"), recursive: true);

        using var reopened = Open();
        foreach (var (name, data) in objects)
        {
            try
            {
                using var owner = await reopened.GetAsync(name, CancellationToken.None);
                Assert.True(owner.Memory.Span.SequenceEqual(data), "a get returned wrong bytes");
            }
            catch (BackendException e)
            {
                Assert.True(e.Kind == BackendFailureKind.Permanent, $"{e.Kind}: {e}");
                Assert.Equal(BackendFailureKind.Permanent, reopened.Classify(e));
            }
        }
    }

    [Fact]
    public async Task GetAsync_VideoReplacedByNonVideo_FailsPermanent()
    {
        var objects = Objects(2, 1_000);
        using (var backend = Open())
        {
            await PutAllAsync(backend, objects);
            await backend.FlushAsync(CancellationToken.None);
        }

        var video = Assert.Single(Directory.EnumerateFiles(_root.Combine("videos"), "*.mkv"));
        await File.WriteAllBytesAsync(video, RandomBytes(50_000, 9));
        Directory.Delete(_root.Combine("cache"), recursive: true);

        using var reopened = Open();
        var error = await Assert.ThrowsAsync<BackendException>(() => reopened.GetAsync(objects[0].Name, CancellationToken.None));
        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
    }

    [Fact]
    public async Task GetAsync_ConcurrentOnOneUncachedVideo_AllSucceed()
    {
        var objects = Objects(10, 8_000);
        using (var backend = Open())
        {
            await PutAllAsync(backend, objects);
            await backend.FlushAsync(CancellationToken.None);
        }

        Directory.Delete(_root.Combine("cache"), recursive: true);
        using var reopened = Open();
        var reads = await Task.WhenAll(objects.Select(o => Task.Run(async () =>
        {
            using var owner = await reopened.GetAsync(o.Name, CancellationToken.None);
            return owner.Memory.Span.SequenceEqual(o.Data);
        })));

        Assert.All(reads, Assert.True);
    }

    [Fact]
    public async Task Cache_SmallerThanAPayload_StillServesGets()
    {
        var objects = Objects(3, 4_000);
        using (var backend = Open(packSize: 5_000))
        {
            await PutAllAsync(backend, objects);
            await backend.FlushAsync(CancellationToken.None);
            Assert.Equal(3, backend.VideoCount);
        }

        using var reopened = Open(cacheBytes: 1);
        await AssertHoldsAsync(reopened, objects);
        Assert.True(Directory.EnumerateFiles(reopened.CacheDirectory).Count() <= 1);
    }

    [Fact]
    public async Task Open_CrashAfterTheVideoWasStoredBeforeItsIndex_CompletesTheSealFromThePendingRecord()
    {
        var objects = Objects(4, 5_000);
        string id;
        using (var backend = Open())
        {
            await PutAllAsync(backend, objects);
            await backend.FlushAsync(CancellationToken.None);
            id = Path.GetFileNameWithoutExtension(Assert.Single(Directory.EnumerateFiles(backend.VideosDirectory, "*.index")));
        }

        // What a crash between the store and the index leaves: the video, its pending record, and the spool files.
        var pending = Directory.CreateDirectory(_root.Combine("pending")).FullName;
        File.Move(Path.Combine(_root.Combine("videos"), id + ".index"), Path.Combine(pending, id + ".index"));
        var spooled = objects.Select((o, i) => $"{o.Name}.{i + 1:x16}").ToList();
        for (var i = 0; i < objects.Count; i++)
        {
            File.WriteAllBytes(_root.Combine("spool", spooled[i]), objects[i].Data);
        }

        File.WriteAllLines(Path.Combine(pending, id + ".spool"), spooled);
        Directory.Delete(_root.Combine("cache"), recursive: true);

        using var reopened = Open();

        Assert.Empty(reopened.PendingSeals);
        Assert.Equal(0, reopened.SpooledBytes);
        Assert.Equal(1, reopened.VideoCount);
        Assert.True(File.Exists(Path.Combine(reopened.VideosDirectory, id + ".index")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(pending));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root.Combine("spool")));
        await AssertHoldsAsync(reopened, objects);
    }

    [Fact]
    public async Task Open_CrashBeforeTheStoreKeptAnything_ObjectsArePackedAgain()
    {
        var objects = Objects(3, 4_000);
        using (var backend = Open())
        {
            await PutAllAsync(backend, objects);
        }

        // A pending record whose video the store never got (the local store's move is all or nothing).
        var pending = Directory.CreateDirectory(_root.Combine("pending")).FullName;
        var spooled = Directory.EnumerateFiles(_root.Combine("spool")).Select(Path.GetFileName).ToList();
        var index = Isg.Protocol.Video.BlockPackIndex.Create([.. objects.Select(o => (o.Name, o.Data.Length))]);
        var bytes = new byte[index.EncodedLength];
        index.WriteTo(bytes);
        File.WriteAllLines(Path.Combine(pending, "0123456789abcdef.spool"), spooled!);
        File.WriteAllBytes(Path.Combine(pending, "0123456789abcdef.index"), bytes);

        using var reopened = Open();
        Assert.Equal(["0123456789abcdef"], reopened.PendingSeals);
        await AssertHoldsAsync(reopened, objects);

        await reopened.FlushAsync(CancellationToken.None);

        Assert.Empty(reopened.PendingSeals);
        Assert.Equal(0, reopened.SpooledBytes);
        Assert.Equal(1, reopened.VideoCount);
        Assert.Empty(Directory.EnumerateFileSystemEntries(pending));
        await AssertHoldsAsync(reopened, objects);
    }

    [Fact]
    public void Capabilities_TakesOnlyVideo()
    {
        using var backend = Open();
        Assert.True(backend.Capabilities.AcceptsOnlyVideo);
    }

    private VideoPackingBackend Open(long packSize = VideoPackingBackendOptions.DefaultPackSize, long cacheBytes = VideoPackingBackendOptions.DefaultCacheBytes) =>
        new(new VideoPackingBackendOptions(_root.Path) { Name = "v", Profile = SmallProfile, PackSize = packSize, CacheBytes = cacheBytes });

    private static List<(string Name, byte[] Data)> Objects(int count, int size) =>
        Enumerable.Range(0, count).Select(i => (NewName(), RandomBytes(size + (i * 37), 100 + i))).ToList();

    private static async Task PutAllAsync(IStorageBackend backend, List<(string Name, byte[] Data)> objects)
    {
        foreach (var (name, data) in objects)
        {
            await backend.PutAsync(name, data, CancellationToken.None);
        }
    }

    private static async Task AssertHoldsAsync(IStorageBackend backend, List<(string Name, byte[] Data)> objects)
    {
        foreach (var (name, data) in objects)
        {
            using var owner = await backend.GetAsync(name, CancellationToken.None);
            Assert.True(owner.Memory.Span.SequenceEqual(data), name);
        }

        Assert.Equal(objects.Select(o => o.Name).Order(StringComparer.Ordinal), await ListAsync(backend));
    }
}
