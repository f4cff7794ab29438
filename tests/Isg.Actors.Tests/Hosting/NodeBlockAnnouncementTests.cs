using Isg.Actors.Discovery;
using Isg.Actors.Peers;
using Isg.Protocol.Hashing;
using Isg.TestKit;

namespace Isg.Actors.Tests.Hosting;

/// <summary>
/// Two in-process nodes on 127.0.0.1: the blocks an add on A stores reach B through A's announcements, before any
/// catalogue entry names them, and the entry that comes later finds them there.
/// </summary>
public sealed class NodeBlockAnnouncementTests
{
    private static readonly TimeSpan s_within = NetworkNode.Within;

    [Fact]
    public async Task Add_PeerNotYetToldOfTheEntry_FetchesTheAnnouncedBlocksAndLaterNeedsNoneAgain()
    {
        // A tells peers of its log only on a tick that does not come again within the test (not after its writes either):
        // B learns of the add's blocks from A's announcements alone, until B asks for A's log itself.
        var a = await NetworkNode.StartAsync("a", prepare: NetworkNode.UseClusterSecret,
            configure: o => o with { Sync = o.Sync with { TickInterval = TimeSpan.FromHours(1), WriteCheckDelay = null, DriftInterval = TimeSpan.FromHours(1) } });
        await using var nodeA = a;
        var address = await a.ListenAsync();
        var b = await NetworkNode.StartAsync("b", a, NetworkNode.UseClusterSecret,
            o => o with { StaticPeers = [new StaticPeer(a.Network.Device, address.Address.ToString(), address.Port)] });
        await using var nodeB = b;
        await b.Subscribe().FishForMessageAsync(e => e is PeerConnected c && c.Device == a.Network.Device, s_within);

        // A may finish its side of the handshake after B: until A's swarm knows B, A's announcements do not reach it.
        await a.Subscribe().FishForMessageAsync(e => e is PeerConnected c && c.Device == b.Network.Device, s_within);
        var content = TestFiles.Random(60_000, seed: 5);

        await a.AddAsync("early.bin", content);
        IReadOnlyList<BlockId> blocks;
        using (var readerA = a.Repository.Catalog.CreateReader())
        {
            blocks = [.. readerA.GetFileBlocks(readerA.GetFile("early.bin")!.Id).Select(f => f.Id).Distinct()];
        }

        foreach (var id in blocks)
        {
            await b.Logs.WaitForAsync(e => e.Message.StartsWith("block ", StringComparison.Ordinal) && Equals(e.Values.GetValueOrDefault("Id"), id), s_within);
        }

        Assert.False(b.HasFile("early.bin"));
        using (var readerB = b.Repository.Catalog.CreateReader())
        {
            Assert.All(blocks, id => Assert.Single(readerB.GetBlockLocations(id)));
        }

        await b.Node.GetSyncStatusAsync(syncNow: true, CancellationToken.None);
        await b.UntilAsync(() => b.HasFile("early.bin"));
        var swarm = await b.Node.GetSwarmStatusAsync(CancellationToken.None);
        Assert.Equal(0, swarm!.Wanted);
        Assert.Equal(blocks.Count, Assert.Single(swarm.Peers).Received);
        Assert.Equal(content, await b.ReadAsync("early.bin"));
    }
}
