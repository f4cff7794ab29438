using Isg.Actors.Peers.Transport;

namespace Isg.Actors.Tests.Peers.Transport;

public sealed class SocketCarrierStreamTests
{
    [Fact]
    public async Task ReadAsync_SmallReads_TakeTheInnerStreamsBytesInBufferSizedReads()
    {
        var data = new byte[1 << 20];
        new Random(3).NextBytes(data);
        var inner = new CountingStream(data);
        var stream = new SocketCarrierStream(inner, 64 * 1024, 4096);

        var read = new MemoryStream();
        var chunk = new byte[5000];
        int n;
        var outerReads = 0;
        while ((n = await stream.ReadAsync(chunk)) > 0)
        {
            read.Write(chunk, 0, n);
            outerReads++;
        }

        Assert.Equal(data, read.ToArray());
        Assert.True(outerReads >= data.Length / chunk.Length, $"{outerReads} reads");
        Assert.Equal(data.Length / (64 * 1024) + 1, inner.Reads); // 16 full buffers, then the read that finds the end
    }

    [Fact]
    public async Task ReadAsync_AtLeastTheBufferWithNothingBuffered_ReadsStraightIntoTheCallersBuffer()
    {
        var data = new byte[100_000];
        new Random(4).NextBytes(data);
        var inner = new CountingStream(data);
        var stream = new SocketCarrierStream(inner, 4096, 4096);

        var first = new byte[10];
        Assert.Equal(10, await stream.ReadAsync(first));
        var rest = new byte[data.Length];

        // Buffered bytes first (4,086 left of the first fill), then a large read goes past the buffer.
        Assert.Equal(4086, await stream.ReadAsync(rest));
        var direct = await stream.ReadAsync(rest.AsMemory(4086));

        Assert.Equal(data.Length - 4096, direct);
        Assert.Equal(data, first.Concat(rest.Take(data.Length - 10)).ToArray());
        Assert.Equal(2, inner.Reads);
        Assert.Equal(data.Length - 4096, inner.LargestRead);
    }

    [Fact]
    public void Read_Synchronous_SameBytesAsTheInnerStream()
    {
        var data = new byte[20_000];
        new Random(5).NextBytes(data);
        var stream = new SocketCarrierStream(new CountingStream(data), 8192, 4096);

        var read = new List<byte>();
        var chunk = new byte[3000];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            read.AddRange(chunk.AsSpan(0, n).ToArray());
        }

        Assert.Equal(data, read.ToArray());
        Assert.Equal(0, stream.Read(chunk, 0, chunk.Length));
    }

    [Fact]
    public async Task WriteAsync_NotGathering_GoesStraightToTheInnerStream()
    {
        var inner = new CountingStream([]);
        var stream = new SocketCarrierStream(inner, 4096, 4096);

        await stream.WriteAsync(new byte[] { 1, 2, 3 });
        stream.Write([4, 5]);

        Assert.Equal(new[] { 3, 2 }, inner.WriteSizes);
        await stream.FlushAsync();

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, inner.Written.ToArray());
    }

    [Fact]
    public async Task WriteAsync_Gathering_SendsInOrderInSendsOfAtMostTheBufferUntilTheFlush()
    {
        var inner = new CountingStream([]);
        var stream = new SocketCarrierStream(inner, 4096, 10_000);
        var records = Enumerable.Range(0, 40).Select(i => Enumerable.Repeat((byte)i, 1000 + i).ToArray()).ToList();

        stream.Gather();
        foreach (var record in records)
        {
            await stream.WriteAsync(record);
        }

        var sentBeforeFlush = inner.Written.Length;
        await stream.FlushAsync();

        Assert.Equal(records.SelectMany(r => r).ToArray(), inner.Written.ToArray());
        Assert.True(sentBeforeFlush < records.Sum(r => r.Length), "the last gathered bytes wait for the flush");
        Assert.All(inner.WriteSizes, size => Assert.InRange(size, 1, 10_000));
        Assert.InRange(inner.WriteSizes.Count, 5, 6); // 40 records of about 1 KiB in 10,000-byte sends, not 40 sends
    }

    [Fact]
    public async Task WriteAsync_GatheringAWriteAsLargeAsTheBuffer_SendsTheGatheredBytesThenTheWriteAsItIs()
    {
        var inner = new CountingStream([]);
        var stream = new SocketCarrierStream(inner, 4096, 4096);

        stream.Gather();
        await stream.WriteAsync(new byte[] { 1, 2 });
        await stream.WriteAsync(Enumerable.Repeat((byte)9, 5000).ToArray());
        stream.Write([3]);
        await stream.FlushAsync();

        Assert.Equal(new[] { 2, 5000, 1 }, inner.WriteSizes);
        Assert.Equal(new byte[] { 1, 2 }.Concat(Enumerable.Repeat((byte)9, 5000)).Append((byte)3).ToArray(), inner.Written.ToArray());
    }

    [Fact]
    public async Task WriteAsync_AfterAFlush_GoesStraightThroughAgain()
    {
        var inner = new CountingStream([]);
        var stream = new SocketCarrierStream(inner, 4096, 4096);
        stream.Gather();
        await stream.WriteAsync(new byte[] { 1 });
        await stream.FlushAsync();

        await stream.WriteAsync(new byte[] { 2, 3 });

        Assert.Equal(new[] { 1, 2 }, inner.WriteSizes);
    }

    [Fact]
    public void Dispose_DisposesTheInnerStream()
    {
        var inner = new CountingStream([]);
        var stream = new SocketCarrierStream(inner, 4096, 4096);

        stream.Dispose();

        Assert.True(inner.Disposed);
    }

    // Hands out its bytes as a socket would (as many as asked, up to what is left), counting the reads.
    private sealed class CountingStream(byte[] data) : Stream
    {
        private int _position;

        public int Reads { get; private set; }

        public int LargestRead { get; private set; }

        public MemoryStream Written { get; } = new();

        public List<int> WriteSizes { get; } = [];

        public bool Disposed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            Reads++;
            var n = Math.Min(buffer.Length, data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            LargestRead = Math.Max(LargestRead, n);
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Write(byte[] buffer, int offset, int count)
        {
            WriteSizes.Add(count);
            Written.Write(buffer, offset, count);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
