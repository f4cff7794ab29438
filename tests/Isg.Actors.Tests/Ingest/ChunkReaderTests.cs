using Isg.Actors.Backends;
using Isg.Actors.Ingest;
using System.Runtime.InteropServices;
using Isg.Protocol.Chunking;

namespace Isg.Actors.Tests.Ingest;

public sealed class ChunkReaderTests : IDisposable
{
    // The reader's window: twice the largest chunk, at least 8 MiB.
    private const int Window = 8 << 20;

    private static readonly FastCdcChunker s_small = new(new ChunkerOptions(TestRepository.MinChunk, TestRepository.AverageChunk, TestRepository.MaxChunk), GearTable.FromSeed(new byte[32]));
    private static readonly FastCdcChunker s_default = new(ChunkerOptions.Default, GearTable.Default);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<int, bool> Sizes => new()
    {
        { 0, true },
        { 1, true },
        { TestRepository.MinChunk - 1, true },
        { TestRepository.MinChunk, true },
        { TestRepository.MaxChunk, true },
        { TestRepository.MaxChunk + 1, true },
        { (Window / 2) - 1, true },
        { Window / 2, true },
        { Window - 1, true },
        { Window, true },
        { Window + 1, true },
        { 20 << 20, true },
        { 0, false },
        { 1, false },
        { (256 * 1024) - 1, false },
        { 4 << 20, false },
        { Window, false },
        { 20 << 20, false },
    };

    private static List<int> ReferenceCuts(IChunker chunker, byte[] data)
    {
        var lengths = new List<int>();
        var offset = 0;
        while (offset < data.Length)
        {
            var cut = chunker.FindCutPoint(data.AsSpan(offset), isFinal: true);
            lengths.Add(cut);
            offset += cut;
        }

        return lengths;
    }

    // Reads the file through a ChunkReader with the small test chunker, concatenating the chunks it hands over.
    private static async Task<(long Read, byte[] Bytes)> ReadWholeAsync(string path, long expectedLength)
    {
        using var handle = File.OpenHandle(path);
        using var received = new MemoryStream();
        var read = await new ChunkReader(s_small).ReadAsync(handle, expectedLength, chunk =>
        {
            using (chunk)
            {
                received.Write(chunk.Span);
            }

            return ValueTask.CompletedTask;
        }, CancellationToken.None);
        return (read, received.ToArray());
    }

    private string WriteFile(byte[] contents)
    {
        var path = _dir.Combine("file-" + contents.Length);
        TestFiles.Write(path, contents);
        return path;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ReadAsync_File_ChunksConcatenateToTheFileAndCutLikeTheChunker(int size, bool smallChunks)
    {
        var chunker = smallChunks ? s_small : s_default;
        var options = chunker.Options;
        var data = TestFiles.Random(size, seed: size);
        var path = WriteFile(data);
        var chunks = new List<PooledBuffer>();
        using var handle = File.OpenHandle(path);

        var read = await new ChunkReader(chunker).ReadAsync(handle, size, chunk =>
        {
            chunks.Add(chunk);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        try
        {
            Assert.Equal(size, read);
            // Every chunk is held until here: each keeps the bytes it was cut from while the reader moves on.
            Assert.Equal(data, chunks.SelectMany(c => c.Memory.ToArray()).ToArray());
            Assert.Equal(ReferenceCuts(chunker, data), chunks.Select(c => c.Length));
            Assert.All(chunks.SkipLast(1), c => Assert.InRange(c.Length, options.MinSize, options.MaxSize));
            if (chunks.Count > 0)
            {
                Assert.InRange(chunks[^1].Length, 1, options.MaxSize);
            }
        }
        finally
        {
            chunks.ForEach(c => c.Dispose());
        }
    }

    [Theory]
    [InlineData(3 << 20)] // read in one go
    [InlineData(20 << 20)] // through windows
    public async Task ReadAsync_Chunks_AreSlicesOfWhatWasReadNotCopies(int size)
    {
        var path = WriteFile(TestFiles.Random(size, seed: 11));
        var places = new List<ArraySegment<byte>>();
        using var handle = File.OpenHandle(path);

        await new ChunkReader(s_small).ReadAsync(handle, size, chunk =>
        {
            using (chunk)
            {
                Assert.True(MemoryMarshal.TryGetArray<byte>(chunk.Memory, out var place));
                places.Add(place);
            }

            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        // Consecutive chunks of one read lie back to back in one array; only a chunk that a window's end cut through
        // starts a new array (at its start).
        Assert.True(places.Count > 3);
        var adjacent = places.Zip(places.Skip(1)).Count(p => ReferenceEquals(p.First.Array, p.Second.Array) && p.First.Offset + p.First.Count == p.Second.Offset);
        var fresh = places.Zip(places.Skip(1)).Count(p => !ReferenceEquals(p.First.Array, p.Second.Array) && p.Second.Offset == 0);
        Assert.Equal(places.Count - 1, adjacent + fresh);
        Assert.True(adjacent > fresh);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(int.MaxValue)]
    public async Task ReadAsync_ExpectedLengthWrong_ReadsTheWholeFileAnyway(long expected)
    {
        var data = TestFiles.Random(300_000, seed: 3);
        var path = WriteFile(data);
        var (read, received) = await ReadWholeAsync(path, expected);

        Assert.Equal(data.Length, read);
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task ReadAsync_FileShrankSinceTheWalk_ReadsWhatIsThere()
    {
        var data = TestFiles.Random(5000, seed: 4);
        var path = WriteFile(data);
        var (read, received) = await ReadWholeAsync(path, 9000);

        Assert.Equal(5000, read);
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task ReadAsync_FileGrowsDuringTheRead_ReturnsAConsistentPrefixCutLikeTheChunker()
    {
        var data = TestFiles.Random(Window + 100_000, seed: 5);
        var extra = TestFiles.Random(3 << 20, seed: 6);
        var path = WriteFile(data);
        using var handle = File.OpenHandle(path);
        var received = new MemoryStream();
        var lengths = new List<int>();
        var grown = false;

        var read = await new ChunkReader(s_small).ReadAsync(handle, data.Length, chunk =>
        {
            using (chunk)
            {
                received.Write(chunk.Span);
                lengths.Add(chunk.Length);
            }

            if (!grown)
            {
                grown = true;
                using var append = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                append.Write(extra);
            }

            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        byte[] whole = [.. data, .. extra];
        Assert.Equal(whole.Length, read);
        Assert.Equal(whole, received.ToArray());
        Assert.Equal(ReferenceCuts(s_small, whole), lengths);
    }

    [Fact]
    public async Task ReadAsync_SmallFileGrowsBetweenWalkAndRead_ReadsItAll()
    {
        var data = TestFiles.Random(50_000, seed: 8);
        var path = WriteFile(data);
        // The walk saw 1000 bytes; the file has 50 000 by now.
        var (read, received) = await ReadWholeAsync(path, 1000);

        Assert.Equal(data.Length, read);
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_ThrowsAndStopsHandingOutChunks()
    {
        var data = TestFiles.Random(2 << 20, seed: 9);
        var path = WriteFile(data);
        using var handle = File.OpenHandle(path);
        using var cancel = new CancellationTokenSource();
        var chunks = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ChunkReader(s_small).ReadAsync(handle, data.Length, chunk =>
        {
            chunk.Dispose();
            if (++chunks == 3)
            {
                cancel.Cancel();
            }

            return ValueTask.CompletedTask;
        }, cancel.Token));

        Assert.Equal(3, chunks);
    }

    [Fact]
    public async Task ReadAsync_ReceiverThrows_ExceptionPropagates()
    {
        var data = TestFiles.Random(200_000, seed: 10);
        var path = WriteFile(data);
        using var handle = File.OpenHandle(path);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new ChunkReader(s_small).ReadAsync(handle, data.Length, chunk =>
        {
            chunk.Dispose();
            throw new InvalidOperationException("receiver failed");
        }, CancellationToken.None));

        Assert.Equal("receiver failed", e.Message);
    }

    [Fact]
    public async Task ReadAsync_ChunksDisposedPromptly_AllocatesFarLessThanTheFile()
    {
        var data = TestFiles.Random(20 << 20, seed: 11);
        var path = WriteFile(data);
        using var handle = File.OpenHandle(path);
        var reader = new ChunkReader(s_small);
        long total = 0;
        ValueTask Consume(PooledBuffer chunk)
        {
            total += chunk.Length;
            chunk.Dispose();
            return ValueTask.CompletedTask;
        }

        // Warm the pool (window and chunk buckets); the receiver completes synchronously, so the whole read runs
        // on this thread and the per-thread allocation counter sees all of it.
        await reader.ReadAsync(handle, data.Length, Consume, CancellationToken.None);
        total = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = reader.ReadAsync(handle, data.Length, Consume, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(read.IsCompletedSuccessfully);

        Assert.Equal(data.Length, await read);
        Assert.Equal(data.Length, total);
        // Pooled buffers: no per-chunk or per-byte allocation (a copy per chunk would be the file size, 20 MiB).
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes reading 20 MiB");
    }
}
