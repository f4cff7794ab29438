using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Isg.Actors.Discovery;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Tests.Discovery;

public sealed class MdnsEngineTests
{
    [Fact]
    public void Receive_MutatedOrRandomDatagrams_NeverThrows()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: true);
        harness.StartAll();
        harness.Run(TimeSpan.FromSeconds(3));
        var samples = harness.Log.Select(s => s.Message.ToArray()).Distinct().ToArray();

        var gen = from index in Gen.Choose(0, samples.Length - 1)
                  from position in Gen.Choose(0, 10_000)
                  from value in Gen.Choose(0, 255)
                  from length in Gen.Choose(0, 300)
                  from seed in Gen.Choose(0, int.MaxValue)
                  from port in Gen.Elements(5353, 40000)
                  select (index, position, value, length, seed, port);
        Prop.ForAll(gen.ToArbitrary(), sample =>
        {
            var mutated = (byte[])samples[sample.index].Clone();
            mutated[sample.position % mutated.Length] = (byte)sample.value;
            var noise = new byte[sample.length];
            new Random(sample.seed).NextBytes(noise);
            var source = new IPEndPoint(IPAddress.Parse("192.168.1.99"), sample.port);
            foreach (var bytes in new[] { mutated, noise, [.. mutated[..12], .. noise] })
            {
                engine.Receive(new MdnsDatagram(bytes, source, 2));
            }

            harness.Clock.Advance(TimeSpan.FromMilliseconds(sample.value));
            engine.Tick();
            engine.TakePackets();
            engine.TakeEvents();
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void Constructor_BadOptions_Throw()
    {
        var clock = new Isg.TestKit.ManualTimeProvider();
        Assert.Throws<ArgumentOutOfRangeException>(() => new MdnsEngine(new MdnsOptions { ProbeCount = 0 }, clock, new Random(1), null, [], true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MdnsEngine(new MdnsOptions { QueryIntervalMax = TimeSpan.FromMilliseconds(1) }, clock, new Random(1), null, [], true));
        Assert.Throws<ArgumentException>(() => new MdnsEngine(new MdnsOptions(), clock, new Random(1), MdnsHarness.Announcement(instance: new string('x', 64)), [], true));
    }

    [Fact]
    public void Rename_LongLabel_StaysWithin63Bytes()
    {
        var harness = new MdnsHarness();
        var label = new string('é', 31);
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(instance: label), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromMilliseconds(300));
        harness.Injected.Add((new DnsMessage
        {
            Flags = DnsHeaderFlags.Response | DnsHeaderFlags.Authoritative,
            Answers = [new SrvRecord(MdnsHarness.Service.Prepend(label), 0, 0, 1, DnsName.Parse("x.local"), 120, cacheFlush: true)],
        }, new IPEndPoint(IPAddress.Parse("192.168.1.99"), 5353)));
        harness.Run(TimeSpan.FromSeconds(3));

        var renamed = engine.InstanceName!.Labels[0];
        Assert.EndsWith(" (2)", renamed, StringComparison.Ordinal);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(renamed), 1, 63);
        Assert.True(engine.Announced);
    }

    [Fact]
    public void Conflicts_FifteenWithinTenSeconds_NextProbeWaitsFiveSeconds()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false,
            new MdnsOptions { ProbeDelayMax = TimeSpan.Zero });
        harness.StartAll();
        for (var conflict = 0; conflict < 15; conflict++)
        {
            harness.Run(TimeSpan.FromMilliseconds(10));
            var name = engine.InstanceName!;
            harness.Injected.Add((new DnsMessage
            {
                Flags = DnsHeaderFlags.Response | DnsHeaderFlags.Authoritative,
                Answers = [new SrvRecord(name, 0, 0, 1, DnsName.Parse("x.local"), 120, cacheFlush: true)],
            }, new IPEndPoint(IPAddress.Parse("192.168.1.99"), 5353)));
        }

        harness.Run(TimeSpan.Zero);
        Assert.Equal(15, harness.EventsOf<MdnsNameConflict>("a").Count());
        var lastConflict = harness.Clock.GetUtcNow();
        var count = harness.Log.Count;
        harness.Run(TimeSpan.FromSeconds(4.9));
        Assert.Equal(count, harness.Log.Count);
        harness.Run(TimeSpan.FromSeconds(0.2));
        var probe = Assert.Single(harness.Log.Skip(count));
        Assert.Equal(TimeSpan.FromSeconds(5), probe.At - lastConflict);
    }
}
