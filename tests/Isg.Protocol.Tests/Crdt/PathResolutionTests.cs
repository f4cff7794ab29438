using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Crdt;
using static Isg.Protocol.Tests.Crdt.CrdtSamples;

namespace Isg.Protocol.Tests.Crdt;

public sealed class PathResolutionTests
{
    private static CatalogOperation Op(int device, ulong sequence, long wall, PathVersion? version) =>
        new(new OperationId(Device(device), sequence), Clock(wall, Device(device)), "a/file.txt", version, []);

    [Fact]
    public void Resolve_NoSurvivors_PathAbsent()
    {
        var resolution = PathResolution.Resolve("a/file.txt", []);

        Assert.Null(resolution.Winner);
        Assert.Empty(resolution.Copies);
    }

    [Fact]
    public void Resolve_OnlyDeletes_PathAbsent()
    {
        var resolution = PathResolution.Resolve("a/file.txt", [Op(1, 1, 10, null), Op(2, 1, 20, null)]);

        Assert.Null(resolution.Winner);
    }

    [Fact]
    public void Resolve_EditConcurrentWithLaterDelete_EditWins()
    {
        var edit = Op(1, 1, 10, Version(1));

        var resolution = PathResolution.Resolve("a/file.txt", [edit, Op(2, 1, 99, null)]);

        Assert.Same(edit, resolution.Winner);
        Assert.Empty(resolution.Copies);
    }

    [Fact]
    public void Resolve_ConcurrentEdits_LaterClockKeepsNameOtherBecomesCopyNamingBothDevices()
    {
        var early = Op(1, 1, 10, Version(1));
        var late = Op(2, 1, 20, Version(2));

        var resolution = PathResolution.Resolve("a/file.txt", [early, late]);

        Assert.Same(late, resolution.Winner);
        var copy = Assert.Single(resolution.Copies);
        Assert.Same(early, copy.Operation);
        Assert.Equal($"a/file.conflict-{Device(1).ShortId}-{Device(2).ShortId}.txt", copy.Path);
    }

    [Fact]
    public void Resolve_ConcurrentEditsOfSameContent_NoConflict()
    {
        var resolution = PathResolution.Resolve("a/file.txt", [Op(1, 1, 10, Version(7)), Op(2, 1, 20, Version(7))]);

        Assert.Equal(Device(2), resolution.Winner!.Id.Device);
        Assert.Empty(resolution.Copies);
    }

    [Fact]
    public void Resolve_EqualClocks_OperationIdBreaksTie()
    {
        var a = new CatalogOperation(new OperationId(Device(1), 1), new HlcTimestamp(10, 0, 5), "p", Version(1), []);
        var b = new CatalogOperation(new OperationId(Device(2), 1), new HlcTimestamp(10, 0, 5), "p", Version(2), []);
        var expected = Device(1).CompareTo(Device(2)) > 0 ? a : b;

        Assert.Same(expected, PathResolution.Resolve("p", [a, b]).Winner);
        Assert.Same(expected, PathResolution.Resolve("p", [b, a]).Winner);
    }

    [Fact]
    public void Resolve_AnyOrderOfSurvivors_SameResolution() =>
        Prop.ForAll(Gen.Shuffle(Enumerable.Range(1, 5).ToArray()).ToArbitrary(), order =>
        {
            var survivors = order.Select(d => Op(d, 1, 10 + (d % 3), d == 4 ? null : Version(d % 4))).ToArray();
            var reference = PathResolution.Resolve("a/file.txt", survivors.OrderBy(o => o.Id).ToArray());
            var shuffled = PathResolution.Resolve("a/file.txt", survivors);
            return reference.Winner == shuffled.Winner && reference.Copies.SequenceEqual(shuffled.Copies);
        }).QuickCheckThrowOnFailure();
}
