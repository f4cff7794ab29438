using System.Runtime.InteropServices;
using Isg.Actors.Storage;

namespace Isg.Actors.Tests.Storage;

public sealed class AlignedBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData((1 << 20) + 123)]
    public void Rent_StartsOnABoundaryAndPadsToAMultiple(int length)
    {
        using var buffer = AlignedBuffer.Rent(length);

        Assert.Equal(length, buffer.Length);
        Assert.Equal(length, buffer.Memory.Length);
        Assert.Equal(0, AddressOf(buffer) % AlignedBuffer.Alignment);
        Assert.Equal(0, buffer.Padded.Length % AlignedBuffer.Alignment);
        Assert.True(buffer.Padded.Length >= length);
        Assert.True(buffer.Padded.Length < length + AlignedBuffer.Alignment || length == 0);
    }

    [Fact]
    public void Dispose_ReturnsTheMemoryForTheNextRentOfThatSize()
    {
        var first = AlignedBuffer.Rent(300_000);
        var address = AddressOf(first);
        first.Dispose();

        // The pool is per size class and shared: another test may take the array between the two calls, so look
        // for it among a few rents rather than in the first one.
        var rents = Enumerable.Range(0, 4).Select(_ => AlignedBuffer.Rent(290_000)).ToList();
        try
        {
            Assert.Contains(rents, r => AddressOf(r) == address);
        }
        finally
        {
            rents.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public void Dispose_MoreThanTheBudget_KeepsAtMostTheBudget()
    {
        // 40 arrays of 2 MiB: 80 MiB, more than the pool keeps (more than eight of one size fit in the budget).
        var rents = Enumerable.Range(0, 40).Select(_ => AlignedBuffer.Rent(1_500_000)).ToList();
        rents.ForEach(r => r.Dispose());

        Assert.InRange(AlignedBuffer.PooledBytes, 0, AlignedBuffer.KeptBytes);
        Assert.True(AlignedBuffer.KeptBytes / (2 << 20) > 8);
    }

    [Fact]
    public void Dispose_Twice_ReturnsOnceAndThenRefusesUse()
    {
        var buffer = AlignedBuffer.Rent(10_000);
        buffer.Dispose();
        buffer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => buffer.Memory);
        Assert.Throws<ObjectDisposedException>(() => buffer.Padded.Length);
    }

    [Fact]
    public void PaddedLength_RoundsUpToTheAlignment()
    {
        Assert.Equal(0, AlignedBuffer.PaddedLength(0));
        Assert.Equal(4096, AlignedBuffer.PaddedLength(1));
        Assert.Equal(4096, AlignedBuffer.PaddedLength(4096));
        Assert.Equal(8192, AlignedBuffer.PaddedLength(4097));
    }

    [Fact]
    public void RentForStore_AlignedFromTheDirectIoMinimumOnAndPlainPooledBelow()
    {
        using var small = AlignedBuffer.RentForStore(DirectFileIo.MinimumLength - 1);
        using var large = AlignedBuffer.RentForStore(DirectFileIo.MinimumLength);

        Assert.IsNotType<AlignedBuffer>(small);
        Assert.Equal(DirectFileIo.MinimumLength - 1, small.Memory.Length);
        var aligned = Assert.IsType<AlignedBuffer>(large);
        Assert.Equal(DirectFileIo.MinimumLength, aligned.Memory.Length);
        Assert.Equal(0, AddressOf(aligned) % AlignedBuffer.Alignment);
    }

    // Memory and Padded start at the same byte; the arrays are pinned, so the address is stable.
    private static long AddressOf(AlignedBuffer buffer) =>
        MemoryMarshal.TryGetArray<byte>(buffer.Memory, out var segment)
            ? (long)Marshal.UnsafeAddrOfPinnedArrayElement(segment.Array!, segment.Offset)
            : throw new InvalidOperationException("not array-backed");
}
