using Isg.Protocol.Crdt;
using Isg.Protocol.Peers;
using static Isg.Protocol.Tests.Crdt.CrdtSamples;

namespace Isg.Protocol.Tests.Crdt;

public sealed class VersionVectorTests
{
    private static VersionVector Of(params (int Device, ulong Sequence)[] entries) =>
        VersionVector.From(entries.Select(e => new KeyValuePair<DeviceId, ulong>(Device(e.Device), e.Sequence)));

    [Fact]
    public void From_DuplicateAndZeroEntries_KeepsLargestAndDropsZero()
    {
        var vector = Of((1, 3), (1, 7), (2, 0));

        Assert.Equal(7UL, vector[Device(1)]);
        Assert.Single(vector.Entries);
        Assert.Equal(0UL, vector[Device(2)]);
    }

    [Fact]
    public void Includes_SequenceAtOrBelow_True()
    {
        var vector = Of((1, 5));

        Assert.True(vector.Includes(new OperationId(Device(1), 5)));
        Assert.False(vector.Includes(new OperationId(Device(1), 6)));
        Assert.False(vector.Includes(new OperationId(Device(2), 1)));
    }

    [Fact]
    public void Covers_ComparesEveryEntry()
    {
        Assert.True(Of((1, 5), (2, 2)).Covers(Of((1, 4))));
        Assert.False(Of((1, 5)).Covers(Of((1, 4), (2, 1))));
        Assert.True(Of().Covers(VersionVector.Empty));
    }

    [Fact]
    public void Merge_TakesEntrywiseMaximum()
    {
        var merged = Of((1, 5), (2, 1)).Merge(Of((1, 3), (2, 4), (3, 9)));

        Assert.Equal(Of((1, 5), (2, 4), (3, 9)), merged);
    }

    [Fact]
    public void Meet_TakesEntrywiseMinimum_MissingDeviceIsZero()
    {
        var meet = VersionVector.Meet([Of((1, 5), (2, 8)), Of((1, 3), (2, 9)), Of((1, 4))]);

        Assert.Equal(Of((1, 3)), meet);
        Assert.Equal(VersionVector.Empty, VersionVector.Meet([]));
    }

    [Fact]
    public void Equals_SameEntriesInAnyOrder_EqualWithEqualHash()
    {
        var a = Of((1, 2), (2, 3));
        var b = Of((2, 3), (1, 2));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, Of((1, 2)));
    }
}
