using Isg.Protocol.Erasure;
using Isg.Protocol.Video;

namespace Isg.Protocol.Tests.Video;

public sealed class FrameGroupAssemblerTests
{
    private const int FrameBytes = 64;

    [Fact]
    public void Take_ShuffledRepeatedFramesWithLossesWithinParity_RebuildsThePayload()
    {
        var (plan, payload, frames) = Build(payloadLength: 1000, groupData: 4, groupParity: 2);
        var random = new Random(23);
        // Drop two frames of every group (data or parity), repeat a few, and shuffle within a window of one group.
        var offered = new List<int>();
        for (var group = 0; group < plan.Groups; group++)
        {
            var first = plan.FirstFrameOf(group);
            var count = plan.DataFramesIn(group) + plan.GroupParityFrames;
            var kept = Enumerable.Range(first, count).OrderBy(_ => random.Next()).Skip(2).ToList();
            kept.Add(kept[0]);
            offered.AddRange(kept.OrderBy(_ => random.Next()));
        }

        var output = Run(plan, frames, offered, out var assembler);

        Assert.Equal(payload, output);
        Assert.True(assembler.RebuiltFrames > 0);
        Assert.True(assembler.Duplicates >= plan.Groups);
    }

    [Fact]
    public void Take_FrameFromAnEarlierGroupAfterTheWindow_IsLate()
    {
        var (plan, _, frames) = Build(payloadLength: 2000, groupData: 4, groupParity: 1);
        var assembler = new FrameGroupAssembler(plan);
        for (var i = 0; i < plan.FirstFrameOf(1); i++)
        {
            Assert.Equal(FrameOffer.Accepted, assembler.Offer(frames[i].Meta, frames[i].Payload));
        }

        Assert.Equal(GroupStatus.Ready, assembler.TryTakeNext(out _));
        assembler.Release();
        Assert.Equal(FrameOffer.Late, assembler.Offer(frames[0].Meta, frames[0].Payload));
    }

    [Fact]
    public void Take_GroupMissingMoreFramesThanParity_IsLostOnceSettled()
    {
        var (plan, _, frames) = Build(payloadLength: 1000, groupData: 4, groupParity: 1);
        var assembler = new FrameGroupAssembler(plan);
        // Group 0 loses frames 1 and 2; the stream then moves on two groups, which settles it.
        foreach (var i in new[] { 0, 3, 4 })
        {
            assembler.Offer(frames[i].Meta, frames[i].Payload);
        }

        Assert.Equal(GroupStatus.Waiting, assembler.TryTakeNext(out _));
        var later = plan.FirstFrameOf(2);
        assembler.Offer(frames[later].Meta, frames[later].Payload);

        Assert.Equal(GroupStatus.Lost, assembler.TryTakeNext(out var missing));
        Assert.Equal(2, missing);
    }

    [Fact]
    public void Take_TruncatedStream_LastGroupsLostAtCompletion()
    {
        var (plan, _, frames) = Build(payloadLength: 1000, groupData: 4, groupParity: 1);
        var assembler = new FrameGroupAssembler(plan);
        for (var i = 0; i < plan.FirstFrameOf(1); i++)
        {
            assembler.Offer(frames[i].Meta, frames[i].Payload);
        }

        Assert.Equal(GroupStatus.Ready, assembler.TryTakeNext(out _));
        assembler.Release();
        Assert.Equal(GroupStatus.Waiting, assembler.TryTakeNext(out _));
        assembler.Complete();
        Assert.Equal(GroupStatus.Lost, assembler.TryTakeNext(out var missing));
        Assert.Equal(5, missing);
    }

    [Fact]
    public void Offer_FrameOutsideThePlan_IsRefused()
    {
        var (plan, _, frames) = Build(payloadLength: 1000, groupData: 4, groupParity: 1);
        var assembler = new FrameGroupAssembler(plan);
        var meta = frames[0].Meta;

        Assert.Equal(FrameOffer.OutOfPlan, assembler.Offer(meta with { Index = plan.TotalFrames }, frames[0].Payload));
        Assert.Equal(FrameOffer.OutOfPlan, assembler.Offer(meta with { Kind = FrameKind.Parity }, frames[0].Payload));
        Assert.Equal(FrameOffer.OutOfPlan, assembler.Offer(meta with { PayloadLength = 3 }, frames[0].Payload));
    }

    private static byte[] Run(VideoPlan plan, IReadOnlyList<(FrameMeta Meta, byte[] Payload)> frames, IEnumerable<int> order, out FrameGroupAssembler assembler)
    {
        assembler = new FrameGroupAssembler(plan);
        using var output = new MemoryStream();
        foreach (var index in order)
        {
            assembler.Offer(frames[index].Meta, frames[index].Payload);
            Drain(assembler, output);
        }

        assembler.Complete();
        Drain(assembler, output);
        Assert.Equal(GroupStatus.Finished, assembler.TryTakeNext(out _));
        return output.ToArray();
    }

    private static void Drain(FrameGroupAssembler assembler, MemoryStream output)
    {
        while (assembler.TryTakeNext(out _) == GroupStatus.Ready)
        {
            for (var i = 0; i < assembler.DataFramesInTaken; i++)
            {
                output.Write(assembler.DataFrame(i));
            }

            assembler.Release();
        }
    }

    private static (VideoPlan Plan, byte[] Payload, List<(FrameMeta Meta, byte[] Payload)> Frames) Build(long payloadLength, int groupData, int groupParity)
    {
        var plan = new VideoPlan(payloadLength, FrameBytes, groupData, groupParity);
        var payload = new byte[payloadLength];
        new Random(7).NextBytes(payload);
        var frames = new List<(FrameMeta, byte[])>();
        for (var group = 0; group < plan.Groups; group++)
        {
            var k = plan.DataFramesIn(group);
            var first = plan.FirstFrameOf(group);
            var data = new byte[k][];
            for (var i = 0; i < k; i++)
            {
                data[i] = new byte[FrameBytes];
                var offset = ((long)group * groupData + i) * FrameBytes;
                payload.AsSpan((int)offset, plan.PayloadLengthOf(first + i)).CopyTo(data[i]);
                frames.Add((new FrameMeta(FrameKind.Data, 1, first + i, plan.PayloadLengthOf(first + i)), data[i]));
            }

            var parity = Enumerable.Range(0, groupParity).Select(_ => new byte[FrameBytes]).ToArray();
            ReedSolomonCodec.Create(k, groupParity).Encode(
                data.Select(d => (ReadOnlyMemory<byte>)d).ToArray(), parity.Select(p => (Memory<byte>)p).ToArray());
            for (var j = 0; j < groupParity; j++)
            {
                frames.Add((new FrameMeta(FrameKind.Parity, 1, first + k + j, FrameBytes), parity[j]));
            }
        }

        return (plan, payload, frames);
    }
}
