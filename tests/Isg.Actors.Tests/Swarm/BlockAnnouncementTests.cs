using Google.Protobuf;
using Isg.Actors.Swarm;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Tests.Swarm;

/// <summary>HaveBlocks frames as the swarm sends and reads them.</summary>
public sealed class BlockAnnouncementTests
{
    private static BlockAnnouncement Block(int n, int size) => new(BlockId.Compute([(byte)n, 0x41]), size);

    [Fact]
    public void ToFrameThenTryRead_IdsAndSizes_ComeBackInOrder()
    {
        BlockAnnouncement[] blocks = [Block(1, 4096), Block(2, 1 << 20), Block(3, 0)];

        var frame = PeerFrame.Parser.ParseFrom(BlockAnnouncement.ToFrame(blocks).ToByteArray());

        Assert.True(BlockAnnouncement.TryRead(frame.HaveBlocks, out var read, out var error), error);
        Assert.Equal(blocks, read);
    }

    [Fact]
    public void TryRead_FullRefresh_AnnouncesNothing()
    {
        var have = BlockAnnouncement.ToFrame([Block(1, 10)]).HaveBlocks;
        have.FullRefresh = true;

        Assert.True(BlockAnnouncement.TryRead(have, out var read, out _));
        Assert.Empty(read);
    }

    [Fact]
    public void TryRead_ShortIdOrUnpairedSizesOrHugeSizeOrTooMany_RefusedWithAReason()
    {
        var shortId = BlockAnnouncement.ToFrame([Block(1, 10)]).HaveBlocks;
        shortId.BlockIds[0] = ByteString.CopyFrom(1, 2, 3);
        var unpaired = BlockAnnouncement.ToFrame([Block(1, 10), Block(2, 20)]).HaveBlocks;
        unpaired.PlainSizes.RemoveAt(1);
        var huge = BlockAnnouncement.ToFrame([Block(1, 10)]).HaveBlocks;
        huge.PlainSizes[0] = uint.MaxValue;
        var tooMany = new HaveBlocks();
        for (var i = 0; i <= BlockAnnouncement.MaxPerFrame; i++)
        {
            tooMany.BlockIds.Add(ByteString.CopyFrom(Block(i, 1).Id.ToArray()));
            tooMany.PlainSizes.Add(1);
        }

        foreach (var bad in new[] { shortId, unpaired, huge, tooMany })
        {
            Assert.False(BlockAnnouncement.TryRead(bad, out var read, out var error));
            Assert.Empty(read);
            Assert.False(string.IsNullOrEmpty(error));
        }
    }
}
