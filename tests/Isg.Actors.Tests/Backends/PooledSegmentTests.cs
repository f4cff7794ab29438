using Isg.Actors.Backends;

namespace Isg.Actors.Tests.Backends;

public sealed class PooledSegmentTests
{
    [Fact]
    public void Slice_SeesTheSegmentsBytesAtItsOffset()
    {
        var segment = new PooledSegment(100);
        for (var i = 0; i < 100; i++)
        {
            segment.Span[i] = (byte)i;
        }

        using var first = segment.Slice(0, 10);
        using var second = segment.Slice(10, 90);
        segment.Release();

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), first.Span.ToArray());
        Assert.Equal(Enumerable.Range(10, 90).Select(i => (byte)i), second.Memory.ToArray());
        Assert.Equal(90, second.Length);
    }

    [Fact]
    public void Release_ByTheCreator_LeavesTheArrayWithSlicesStillHeld()
    {
        var segment = new PooledSegment(64);
        segment.Span.Fill(5);
        var slice = segment.Slice(8, 16);

        segment.Release();

        // The slice still reads its bytes; the segment itself is gone only once the slice lets go too.
        Assert.All(slice.Span.ToArray(), b => Assert.Equal(5, b));
        Assert.Equal(64, segment.Length);
        slice.Dispose();
        Assert.Throws<ObjectDisposedException>(() => segment.Length);
        Assert.Throws<ObjectDisposedException>(() => segment.Slice(0, 1));
        Assert.Throws<ObjectDisposedException>(() => slice.Span.Length);
    }

    [Fact]
    public void Dispose_OfASliceTwice_CountsOnce()
    {
        var segment = new PooledSegment(64);
        var slice = segment.Slice(0, 8);

        slice.Dispose();
        slice.Dispose();

        // Still held by its creator: had the second Dispose counted, the array would be back in the pool.
        Assert.Equal(64, segment.Length);
        segment.Release();
        Assert.Throws<ObjectDisposedException>(() => segment.Length);
    }

    [Fact]
    public void Release_MoreOftenThanHeld_Throws()
    {
        var segment = new PooledSegment(16);
        segment.Release();

        Assert.Throws<InvalidOperationException>(segment.Release);
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(0, -1)]
    [InlineData(3, 4)] // three bytes before the end, four long
    public void Slice_OutsideTheSegment_Throws(int offset, int length)
    {
        var segment = new PooledSegment(16);
        var start = offset == 3 ? segment.Length - 3 : offset;

        Assert.Throws<ArgumentOutOfRangeException>(() => segment.Slice(start, length));
        segment.Release();
        Assert.Throws<ObjectDisposedException>(() => segment.Length);
    }
}
