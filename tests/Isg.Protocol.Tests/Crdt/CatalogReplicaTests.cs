using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Crdt;
using static Isg.Protocol.Tests.Crdt.CrdtSamples;

namespace Isg.Protocol.Tests.Crdt;

public sealed class CatalogReplicaTests
{
    private static readonly string[] s_paths = ["a.txt", "dir/b.bin", "dir/c"];

    private static void Exchange(CatalogReplica from, CatalogReplica to)
    {
        foreach (var operation in from.Missing(to.Vector).ToList())
        {
            to.Apply(operation);
        }
    }

    [Fact]
    public void Write_SequentialEditsOnOneDevice_OnlyLatestSurvives()
    {
        var replica = new CatalogReplica(Device(1));
        replica.Write("a.txt", Version(1), Clock(1, Device(1)));
        var second = replica.Write("a.txt", Version(2), Clock(2, Device(1)));

        Assert.Equal([second], replica.Survivors("a.txt"));
        Assert.Equal(2UL, replica.Vector[Device(1)]);
    }

    [Fact]
    public void Apply_DeleteAfterSeeingWrite_PropagatesAsAbsence()
    {
        var a = new CatalogReplica(Device(1));
        var b = new CatalogReplica(Device(2));
        a.Write("a.txt", Version(1), Clock(1, Device(1)));
        Exchange(a, b);

        b.Write("a.txt", null, Clock(2, Device(2)));
        Exchange(b, a);

        Assert.Null(a.Resolve("a.txt").Winner);
        Assert.Null(b.Resolve("a.txt").Winner);
    }

    [Fact]
    public void Apply_ConcurrentEditsWhileDisconnected_BothVersionsOnBothReplicas()
    {
        var a = new CatalogReplica(Device(1));
        var b = new CatalogReplica(Device(2));
        a.Write("a.txt", Version(1), Clock(1, Device(1)));
        Exchange(a, b);

        a.Write("a.txt", Version(2), Clock(5, Device(1)));
        b.Write("a.txt", Version(3), Clock(6, Device(2)));
        Exchange(a, b);
        Exchange(b, a);

        foreach (var replica in new[] { a, b })
        {
            var resolution = replica.Resolve("a.txt");
            Assert.Equal(Version(3), resolution.Winner!.Version);
            Assert.Equal(Version(2), Assert.Single(resolution.Copies).Operation.Version);
        }
    }

    [Fact]
    public void Apply_EditConcurrentWithDelete_EditSurvivesEverywhere()
    {
        var a = new CatalogReplica(Device(1));
        var b = new CatalogReplica(Device(2));
        a.Write("a.txt", Version(1), Clock(1, Device(1)));
        Exchange(a, b);

        a.Write("a.txt", Version(2), Clock(2, Device(1)));
        b.Write("a.txt", null, Clock(9, Device(2)));
        Exchange(b, a);
        Exchange(a, b);

        Assert.Equal(Version(2), a.Resolve("a.txt").Winner!.Version);
        Assert.Equal(Version(2), b.Resolve("a.txt").Winner!.Version);
    }

    [Fact]
    public void Apply_SameOperationTwice_SecondIsIgnored()
    {
        var a = new CatalogReplica(Device(1));
        var b = new CatalogReplica(Device(2));
        var operation = a.Write("a.txt", Version(1), Clock(1, Device(1)));

        Assert.True(b.Apply(operation));
        Assert.False(b.Apply(operation));
        Assert.Single(b.Survivors("a.txt"));
    }

    [Fact]
    public void Apply_SupersedingOperationBeforeTheOneItSupersedes_OldNeverSurvives()
    {
        var a = new CatalogReplica(Device(1));
        var first = a.Write("a.txt", Version(1), Clock(1, Device(1)));
        var second = a.Write("a.txt", Version(2), Clock(2, Device(1)));
        var c = new CatalogReplica(Device(3));

        c.Apply(second);
        Assert.Equal(0UL, c.Vector[Device(1)]);
        c.Apply(first);

        Assert.Equal([second], c.Survivors("a.txt"));
        Assert.Equal(2UL, c.Vector[Device(1)]);
    }

    [Fact]
    public void Replicas_RandomWritesAndPartialSyncs_ConvergeAndLoseNoWrite() =>
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            var replicas = Enumerable.Range(1, 3).Select(n => new CatalogReplica(Device(n))).ToArray();
            var written = new List<CatalogOperation>();
            var wall = 0L;
            for (var step = 0; step < 60; step++)
            {
                var replica = replicas[random.Next(replicas.Length)];
                if (random.Next(3) == 0)
                {
                    Exchange(replica, replicas[random.Next(replicas.Length)]);
                    continue;
                }

                var path = s_paths[random.Next(s_paths.Length)];
                var version = random.Next(4) == 0 ? null : Version(random.Next(6));
                wall += random.Next(3);
                written.Add(replica.Write(path, version, Clock(wall, replica.Device)));
            }

            for (var round = 0; round < 2; round++)
            {
                foreach (var from in replicas)
                {
                    foreach (var to in replicas)
                    {
                        Exchange(from, to);
                    }
                }
            }

            var first = replicas[0];
            foreach (var other in replicas.Skip(1))
            {
                if (!other.Vector.Equals(first.Vector) || !other.Paths.SequenceEqual(first.Paths))
                {
                    return false;
                }

                foreach (var path in first.Paths)
                {
                    var (x, y) = (first.Resolve(path), other.Resolve(path));
                    if (!first.Survivors(path).SequenceEqual(other.Survivors(path)) || x.Winner != y.Winner || !x.Copies.SequenceEqual(y.Copies))
                    {
                        return false;
                    }
                }
            }

            // Every write either survives or was superseded by a later operation someone made having seen it.
            var superseded = first.Operations.SelectMany(o => o.Supersedes).ToHashSet();
            return written.All(w => superseded.Contains(w.Id) || first.Survivors(w.Path).Contains(w));
        }).QuickCheckThrowOnFailure();
}
