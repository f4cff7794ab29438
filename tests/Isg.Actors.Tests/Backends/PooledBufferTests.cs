using Isg.Actors.Backends;

namespace Isg.Actors.Tests.Backends;

public sealed class PooledBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(4 * 1024 * 1024 + 3)]
    public void Memory_IsExactlyTheRequestedLength(int length)
    {
        using var buffer = new PooledBuffer(length);

        Assert.Equal(length, buffer.Length);
        Assert.Equal(length, buffer.Memory.Length);
        Assert.Equal(length, buffer.Span.Length);
    }

    [Fact]
    public void Dispose_Twice_ReturnsOnceAndThenRefusesUse()
    {
        var buffer = new PooledBuffer(64);
        buffer.Span.Fill(7);

        buffer.Dispose();
        buffer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => buffer.Memory);
        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
    }

    [Fact]
    public void Constructor_NegativeLength_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PooledBuffer(-1));
    }
}
