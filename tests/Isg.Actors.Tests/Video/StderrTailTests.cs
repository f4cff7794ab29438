using System.Text;
using Isg.Actors.Video;

namespace Isg.Actors.Tests.Video;

public sealed class StderrTailTests
{
    [Fact]
    public void ToString_BelowCapacity_ReturnsEverythingTrimmed()
    {
        var tail = new StderrTail(64);

        tail.Append("first line\n"u8);
        tail.Append("second line\n"u8);

        Assert.Equal("first line\nsecond line", tail.ToString());
    }

    [Fact]
    public void ToString_Wrapped_KeepsTheNewestWholeLines()
    {
        var tail = new StderrTail(32);

        for (int i = 0; i < 100; i++)
        {
            tail.Append(Encoding.UTF8.GetBytes($"line {i}\n"));
        }

        string text = tail.ToString();
        Assert.EndsWith("line 99", text, StringComparison.Ordinal);
        Assert.StartsWith("line ", text, StringComparison.Ordinal);
        Assert.True(text.Length <= 32);
    }

    [Fact]
    public void Append_LargerThanCapacity_KeepsTheEnd()
    {
        var tail = new StderrTail(16);

        tail.Append(Encoding.ASCII.GetBytes(new string('x', 100) + "\nabcdefgh"));

        Assert.Equal("abcdefgh", tail.ToString());
    }
}
