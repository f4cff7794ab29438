using Isg.Protocol.Frames;
using Isg.Protocol.Video;

namespace Isg.Protocol.Tests.Video;

public sealed class DataFrameLayoutTests
{
    private static readonly DataFrameLayout s_layout =
        new(new GrayFrameCodec(new FrameGeometry(320, 240, 2, FrameMode.BlackWhite)), VideoMode.BlackWhite, 16);

    [Fact]
    public void Read_ComposedFrame_IsCleanWithItsMetaAndPayload()
    {
        var payload = RandomBytes(s_layout.PayloadBytes - 10, 1);
        var bytes = Compose(new FrameMeta(FrameKind.Data, 9, 42, payload.Length), payload);

        Assert.Equal(FrameReadStatus.Clean, s_layout.Read(bytes, 9, out var meta, out var bitErrors));
        Assert.Equal(new FrameMeta(FrameKind.Data, 9, 42, payload.Length), meta);
        Assert.Equal(0, bitErrors);
        Assert.Equal(payload, s_layout.PayloadOf(bytes)[..payload.Length].ToArray());
        Assert.All(s_layout.PayloadOf(bytes)[payload.Length..].ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Read_BurstOfDamagedBytes_IsCorrectedAndCountsTheBits()
    {
        var payload = RandomBytes(s_layout.PayloadBytes, 2);
        var bytes = Compose(new FrameMeta(FrameKind.Data, 9, 1, payload.Length), payload);
        for (var i = 500; i < 540; i++)
        {
            bytes[i] ^= 0x01;
        }

        Assert.Equal(FrameReadStatus.Corrected, s_layout.Read(bytes, 9, out var meta, out var bitErrors));
        Assert.Equal(1, meta.Index);
        Assert.Equal(40, bitErrors);
        Assert.Equal(payload, s_layout.PayloadOf(bytes).ToArray());
    }

    [Fact]
    public void Read_FrameOfAnotherVideo_IsForeign()
    {
        var bytes = Compose(new FrameMeta(FrameKind.Data, 9, 1, 10), new byte[10]);
        Assert.Equal(FrameReadStatus.Foreign, s_layout.Read(bytes, 10, out _, out _));
    }

    [Fact]
    public void Read_NoiseOrHeavyDamage_IsDamaged()
    {
        var noise = RandomBytes(s_layout.FrameCapacity, 3);
        Assert.Equal(FrameReadStatus.Damaged, s_layout.Read(noise, 9, out _, out _));

        var bytes = Compose(new FrameMeta(FrameKind.Data, 9, 1, 10), new byte[10]);
        new Random(4).NextBytes(bytes.AsSpan(100, 2000));
        Assert.Equal(FrameReadStatus.Damaged, s_layout.Read(bytes, 9, out _, out _));
    }

    [Fact]
    public void Compose_SyncPattern_HoldsEveryGray4Symbol()
    {
        var bytes = Compose(new FrameMeta(FrameKind.Data, 9, 1, 0), []);
        var symbols = new HashSet<int>();
        foreach (var b in bytes.AsSpan(0, s_layout.SyncBytes))
        {
            for (var shift = 0; shift < 8; shift += 2)
            {
                symbols.Add((b >> shift) & 3);
            }
        }

        Assert.Equal(4, symbols.Count);
    }

    private static byte[] Compose(FrameMeta meta, byte[] payload)
    {
        var bytes = new byte[s_layout.FrameCapacity];
        s_layout.Compose(meta, payload, bytes);
        return bytes;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
