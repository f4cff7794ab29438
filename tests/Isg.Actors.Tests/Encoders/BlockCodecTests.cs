using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Catalog;
using Isg.Actors.Encoders;
using Isg.Actors.Striping;
using Isg.Actors.Swarm;
using Isg.Actors.Transfers;
using Isg.Protocol.Compression;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;
using Isg.Protocol.Sealing;
using Isg.Actors.Tests.Backends;

namespace Isg.Actors.Tests.Encoders;

public sealed class BlockCodecTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();
    private readonly RepositoryKey _key = RepositoryKey.Generate();
    private readonly LocalBlockStore _local;
    private readonly FaultyStore _store;
    private readonly CatalogDatabase _catalog;
    private readonly CatalogReader _reader;
    private readonly StripeAssembler _direct;
    private readonly List<BlockCodec> _codecs = [];

    public BlockCodecTests()
    {
        _local = new LocalBlockStore(new LocalBlockStoreOptions(_dir.Combine("blocks")));
        _store = new FaultyStore(_local);
        _catalog = CatalogDatabase.Open(_dir.Path);
        _reader = _catalog.CreateReader();

        // Without redundancy every new block goes to the one backend of the set.
        _direct = new StripeAssembler(RedundancyPolicy.None, new BackendSet([_store]), _key);
    }

    public void Dispose()
    {
        _codecs.ForEach(c => c.Dispose());
        _direct.Dispose();
        _reader.Dispose();
        _catalog.Dispose();
        _local.Dispose();
        _key.Dispose();
        _dir.Dispose();
    }

    private BlockCodec Codec(SealOptions? options = null, RepositoryKey? key = null)
    {
        var codec = new BlockCodec(key ?? _key, options ?? SealOptions.Default, new BackendSet([_store]));
        _codecs.Add(codec);
        return codec;
    }

    private async Task<List<string>> ObjectsAsync()
    {
        var names = new List<string>();
        await foreach (var name in _local.ListAsync(CancellationToken.None))
        {
            names.Add(name);
        }

        return names;
    }

    private void CommitToCatalogue(StoredBlock block)
    {
        using var writer = _catalog.CreateWriter();
        writer.Commit(
            [new FileCommit("f", FileKind.File, block.PlainSize, 0x1A4, 0, null, Hash256.Compute("root"u8), [], [new FileBlock(0, block.Id, 0, block.PlainSize)])],
            [block]);
    }

    [Fact]
    public async Task EncodeAsync_NewBytes_StoresOneObjectNamedByTheKey()
    {
        var data = TestFiles.Text(20_000, seed: 1);
        var id = BlockId.Compute(data);

        var encoded = await Codec().EncodeAsync(data, new DedupIndex(), _direct, _reader, CancellationToken.None);

        Assert.Equal(id, encoded.Id);
        Assert.Equal(data.Length, encoded.Length);
        Assert.NotNull(encoded.NewBlock);
        var stored = encoded.NewBlock;
        Assert.Equal(id, stored.Id);
        Assert.Equal(data.Length, stored.PlainSize);
        Assert.Equal(_key.ObjectName(id), stored.ObjectName);
        Assert.Equal(_store.Name, stored.Backend);
        Assert.Equal([_key.ObjectName(id)], await ObjectsAsync());
        Assert.Equal(stored.StoredSize, _local.StoredLength(stored.ObjectName));
        // The object name is keyed: it is not the block id in any public form.
        Assert.DoesNotContain(id.ToHex(), stored.ObjectName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EncodeAsync_SameBytesTwiceInOneSession_SecondIsDedupWithoutAnotherPut()
    {
        var data = TestFiles.Random(10_000, seed: 2);
        var session = new DedupIndex();
        var codec = Codec();

        var first = await codec.EncodeAsync(data, session, _direct, _reader, CancellationToken.None);
        var second = await Codec().EncodeAsync(data.ToArray(), session, _direct, _reader, CancellationToken.None);

        Assert.NotNull(first.NewBlock);
        Assert.Null(second.NewBlock);
        Assert.Equal(first.Id, second.Id);
        // The session keeps the writer's location for whoever records blocks, whichever answer it sees first.
        Assert.True(session.TryTakeWritten(first.Id, out var written));
        Assert.Equal(first.NewBlock, written);
        Assert.Equal(data.Length, second.Length);
        Assert.Equal(1, _store.Puts);
        Assert.Single(await ObjectsAsync());
    }

    [Fact]
    public async Task EncodeAsync_BlockKnownToTheCatalogue_IsNotRewritten()
    {
        var data = TestFiles.Random(10_000, seed: 3);
        var stored = (await Codec().EncodeAsync(data, new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;
        CommitToCatalogue(stored);

        // A later add has a new session: only the catalogue knows the block.
        var session = new DedupIndex();
        var again = await Codec().EncodeAsync(data, session, _direct, _reader, CancellationToken.None);

        Assert.Null(again.NewBlock);
        Assert.Equal(1, _store.Puts);
        Assert.False(session.TryTakeWritten(again.Id, out _));
    }

    [Fact]
    public async Task EncodeAsync_BlockInTheCatalogueWithoutReferences_IsReused()
    {
        var data = TestFiles.Random(10_000, seed: 4);
        var stored = (await Codec().EncodeAsync(data, new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;
        using (var writer = _catalog.CreateWriter())
        {
            // Recorded but referenced by no file (refcount 0): only removals under the exclusive repository lock
            // delete block rows, so while an add runs the stored copy stays, and reusing it keeps one stripe per block.
            writer.Commit([], [stored]);
        }

        var again = await Codec().EncodeAsync(data, new DedupIndex(), _direct, _reader, CancellationToken.None);

        Assert.Null(again.NewBlock);
        Assert.Equal(1, _store.Puts);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(65_536)]
    [InlineData(300_000)]
    public async Task DecodeAsync_EncodedBlock_RoundTrips(int length)
    {
        var data = length % 2 == 0 ? TestFiles.Text(length, seed: length) : TestFiles.Random(length, seed: length);
        var codec = Codec();
        var stored = (await codec.EncodeAsync(data, new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;

        using var plaintext = await Codec().DecodeAsync(stored.Id, stored.ObjectName, CancellationToken.None);

        Assert.Equal(data, plaintext.Memory.ToArray());
    }

    [Theory]
    [InlineData(CompressionId.None, CipherId.Aes256Gcm)]
    [InlineData(CompressionId.Zstd, CipherId.ChaCha20Poly1305)]
    [InlineData(CompressionId.Brotli, CipherId.Aes256Gcm)]
    public async Task DecodeAsync_OtherSealOptions_RoundTripWithAnyCodec(CompressionId compression, CipherId cipher)
    {
        var data = TestFiles.Text(70_000, seed: 5);
        var stored = (await Codec(new SealOptions(compression, compression == CompressionId.Brotli ? 5 : 3, cipher))
            .EncodeAsync(data, new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;

        // Blocks name their own compression and cipher: a codec with the default options opens them.
        using var plaintext = await Codec().DecodeAsync(stored.Id, stored.ObjectName, CancellationToken.None);

        Assert.Equal(data, plaintext.Memory.ToArray());
        Assert.Equal((int)compression, stored.Compression);
    }

    [Fact]
    public async Task EncodeAsync_CompressibleAndIncompressible_RecordTheCompressionUsed()
    {
        var codec = Codec();
        var text = TestFiles.Text(100_000, seed: 6);
        var noise = TestFiles.Random(100_000, seed: 6);

        var compressed = (await codec.EncodeAsync(text, new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;
        var raw = (await codec.EncodeAsync(noise, new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;

        Assert.Equal((int)CompressionId.Zstd, compressed.Compression);
        Assert.True(compressed.StoredSize < text.Length / 2, $"stored {compressed.StoredSize} of {text.Length}");
        Assert.Equal((int)CompressionId.None, raw.Compression);
        Assert.Equal(noise.Length + BlockSealer.Overhead, raw.StoredSize);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(5_000)]
    [InlineData(-1)]
    public async Task DecodeAsync_CorruptedObject_ThrowsDataIntegrityNamingTheBlock(int flipAt)
    {
        var data = TestFiles.Random(10_000, seed: 7);
        var stored = (await Codec().EncodeAsync(data, new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;
        _local.Flip(stored.ObjectName, flipAt < 0 ? -1 : flipAt);

        var e = await Assert.ThrowsAsync<DataIntegrityException>(() => Codec().DecodeAsync(stored.Id, stored.ObjectName, CancellationToken.None).AsTask());

        Assert.Contains(stored.Id.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains(stored.ObjectName, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(100)]
    public async Task DecodeAsync_TruncatedObject_ThrowsDataIntegrity(int keep)
    {
        var data = TestFiles.Random(10_000, seed: 8);
        var stored = (await Codec().EncodeAsync(data, new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;
        _local.Truncate(stored.ObjectName, keep);

        var e = await Assert.ThrowsAsync<DataIntegrityException>(() => Codec().DecodeAsync(stored.Id, stored.ObjectName, CancellationToken.None).AsTask());

        Assert.Contains(stored.Id.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecodeAsync_AnotherBlocksObjectUnderTheName_ThrowsDataIntegrity()
    {
        var codec = Codec();
        var a = (await codec.EncodeAsync(TestFiles.Random(5000, 9), new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;
        var b = (await codec.EncodeAsync(TestFiles.Random(5000, 10), new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;
        await _local.PutAsync(a.ObjectName, _local.StoredBytes(b.ObjectName), CancellationToken.None);

        await Assert.ThrowsAsync<DataIntegrityException>(() => codec.DecodeAsync(a.Id, a.ObjectName, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task DecodeAsync_WithAnotherRepositoryKey_ThrowsDataIntegrity()
    {
        var stored = (await Codec().EncodeAsync(TestFiles.Random(5000, 11), new DedupIndex(), _direct, _reader, CancellationToken.None)).NewBlock!;
        using var otherKey = RepositoryKey.Generate();

        await Assert.ThrowsAsync<DataIntegrityException>(() => Codec(key: otherKey).DecodeAsync(stored.Id, stored.ObjectName, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task DecodeAsync_MissingObject_ThrowsDataIntegrityNamingTheBlockAndStore()
    {
        var id = BlockId.Compute("never stored"u8);
        var name = _key.ObjectName(id);

        var e = await Assert.ThrowsAsync<DataIntegrityException>(() => Codec().DecodeAsync(id, name, CancellationToken.None).AsTask());

        Assert.Contains(id.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains(_store.Name, e.Message, StringComparison.Ordinal);
        var inner = Assert.IsType<BackendException>(e.InnerException);
        Assert.Equal(BackendFailureKind.NotFound, inner.Kind);
    }

    [Fact]
    public async Task EncodeAsync_PutFails_ThrowsAndReleasesTheClaimForARetry()
    {
        var data = TestFiles.Random(10_000, seed: 12);
        var session = new DedupIndex();
        _store.FailPuts = new BackendException(BackendFailureKind.Transient, _store.Name, "flaky", null);
        _store.FailuresLeft = 1;

        await Assert.ThrowsAsync<BackendException>(() => Codec().EncodeAsync(data, session, _direct, _reader, CancellationToken.None).AsTask());
        var retry = await Codec().EncodeAsync(data, session, _direct, _reader, CancellationToken.None);

        Assert.NotNull(retry.NewBlock);
        Assert.Equal(1, _store.Puts);
        Assert.Single(await ObjectsAsync());
    }

    [Fact]
    public async Task EncodeAsync_WithRecentBlocks_KeepsWhatItStoredExactlyAsStoredButNotAFailedOrDedupedBlock()
    {
        using var recent = new RecentBlocks(1 << 20);
        var codec = new BlockCodec(_key, SealOptions.Default, new BackendSet([_store]), recent);
        _codecs.Add(codec);
        var data = TestFiles.Random(300_000, seed: 13);
        var failing = TestFiles.Random(300_000, seed: 14);
        var session = new DedupIndex();

        var encoded = await codec.EncodeAsync(data, session, _direct, _reader, CancellationToken.None);
        var deduped = await codec.EncodeAsync(data.ToArray(), session, _direct, _reader, CancellationToken.None);
        _store.FailPuts = new BackendException(BackendFailureKind.Transient, _store.Name, "flaky", null);
        _store.FailuresLeft = 1;
        await Assert.ThrowsAsync<BackendException>(() => codec.EncodeAsync(failing, session, _direct, _reader, CancellationToken.None).AsTask());

        Assert.Null(deduped.NewBlock);
        var kept = recent.TryTake(encoded.Id);
        Assert.NotNull(kept);
        using (var onDisk = await _local.GetAsync(encoded.NewBlock!.ObjectName, CancellationToken.None))
        {
            Assert.Equal(onDisk.Memory.ToArray(), kept.Memory.ToArray());
        }

        kept.Release();
        Assert.Null(recent.TryTake(BlockId.Compute(failing)));
        Assert.Equal(1, recent.Count);
    }

    [Fact]
    public async Task EncodeAsync_ConcurrentWorkersSameBytes_OneWritesTheOtherWaitsAndDedups()
    {
        var data = TestFiles.Random(10_000, seed: 13);
        var session = new DedupIndex();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.HoldPuts = release.Task;

        var first = Codec().EncodeAsync(data, session, _direct, _reader, CancellationToken.None).AsTask();
        await _store.PutWaiting.Task.WaitAsync(Within);
        var second = Codec().EncodeAsync(data, session, _direct, _reader, CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        release.SetResult();
        var results = await Task.WhenAll(first, second).WaitAsync(Within);

        Assert.NotNull(results[0].NewBlock);
        Assert.Null(results[1].NewBlock);
        Assert.Equal(1, _store.Puts);
    }

    [Fact]
    public async Task EncodeAsync_WaitingWorkerWhenTheWriterFails_WritesTheBlockItself()
    {
        var data = TestFiles.Random(10_000, seed: 14);
        var session = new DedupIndex();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.HoldPuts = release.Task;
        _store.FailPuts = new BackendException(BackendFailureKind.Transient, _store.Name, "flaky", null);
        _store.FailuresLeft = 1;

        var first = Codec().EncodeAsync(data, session, _direct, _reader, CancellationToken.None).AsTask();
        await _store.PutWaiting.Task.WaitAsync(Within);
        var second = Codec().EncodeAsync(data, session, _direct, _reader, CancellationToken.None).AsTask();
        release.SetResult();

        await Assert.ThrowsAsync<BackendException>(() => first.WaitAsync(Within));
        var retried = await second.WaitAsync(Within);
        Assert.NotNull(retried.NewBlock);
        Assert.Equal(1, _store.Puts);
    }
}
