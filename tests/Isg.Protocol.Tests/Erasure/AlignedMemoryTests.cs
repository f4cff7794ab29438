using Isg.Protocol.Erasure;

namespace Isg.Protocol.Tests.Erasure;

public sealed unsafe class AlignedMemoryTests
{
    [Theory]
    [InlineData(1, 64)]
    [InlineData(65536, 64)]
    [InlineData(1000, 4096)]
    public void Pin_NewBuffer_AddressIsAlignedAndBytesAreZero(int length, int alignment)
    {
        using var memory = new AlignedMemory(length, alignment);

        using var handle = memory.Memory.Pin();

        Assert.Equal(0, (long)(nint)handle.Pointer % alignment);
        Assert.Equal(length, memory.Length);
        Assert.Equal(length, memory.Memory.Length);
        Assert.True(memory.GetSpan().IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Pin_Slice_PointsIntoTheSameBytes()
    {
        using var memory = new AlignedMemory(256);
        memory.GetSpan()[130] = 0xA5;

        using var handle = memory.Memory.Slice(128, 64).Pin();

        Assert.Equal(0xA5, ((byte*)handle.Pointer)[2]);
        Assert.Equal(0, (long)(nint)handle.Pointer % 64);
    }

    [Fact]
    public void GetSpan_AfterDispose_Throws()
    {
        var memory = new AlignedMemory(64);
        ((IDisposable)memory).Dispose();
        ((IDisposable)memory).Dispose();

        Assert.Throws<ObjectDisposedException>(() => memory.GetSpan());
        Assert.Throws<ObjectDisposedException>(() => memory.Pin());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public void Constructor_AlignmentNotAPowerOfTwo_Throws(int alignment) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedMemory(64, alignment));

    [Theory]
    [InlineData(ErasureImplementation.Isal)]
    [InlineData(ErasureImplementation.Managed)]
    public void Encode_AlignedShards_SameParityAsArrays(ErasureImplementation implementation)
    {
        const int K = 10, M = 4, Length = 4096 + 7;
        var codec = ReedSolomonCodec.Create(K, M, implementation);
        var random = new Random(5);
        var arrays = Enumerable.Range(0, K + M).Select(_ => new byte[Length]).ToArray();
        foreach (var shard in arrays.Take(K))
        {
            random.NextBytes(shard);
        }

        using var block = new AlignedMemory((K + M) * Length);
        var aligned = Enumerable.Range(0, K + M).Select(i => block.Memory.Slice(i * Length, Length)).ToArray();
        for (var i = 0; i < K; i++)
        {
            arrays[i].CopyTo(aligned[i]);
        }

        codec.Encode([.. arrays.Take(K).Select(a => (ReadOnlyMemory<byte>)a)], [.. arrays.Skip(K).Select(a => (Memory<byte>)a)]);
        codec.Encode([.. aligned.Take(K).Select(a => (ReadOnlyMemory<byte>)a)], aligned.AsSpan(K));

        for (var r = K; r < K + M; r++)
        {
            Assert.True(aligned[r].Span.SequenceEqual(arrays[r]), $"parity {r - K}");
        }
    }
}
