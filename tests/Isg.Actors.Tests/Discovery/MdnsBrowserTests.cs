using System.Net;
using Isg.Actors.Discovery;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Tests.Discovery;

/// <summary>The browser half of <see cref="MdnsEngine"/> and its cache, driven on a manual clock by <see cref="MdnsHarness"/>.</summary>
public sealed class MdnsBrowserTests
{
    private static readonly DnsName s_other = MdnsHarness.Service.Prepend("OTHERID");
    private static readonly DnsName s_otherHost = DnsName.Parse("isg-otherid.local");
    private static readonly IPEndPoint s_otherSource = new(IPAddress.Parse("192.168.1.20"), 5353);

    [Fact]
    public void Browse_QueryIntervals_DoubleFrom1SecondUpToAnHour()
    {
        var harness = new MdnsHarness();
        harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        harness.Run(TimeSpan.FromHours(5));

        var queries = harness.Log.Where(s => s.Message.Questions.Any(q => q.Name == MdnsHarness.Service && q.Type == DnsRecordType.Ptr)).ToList();
        Assert.InRange(queries[0].At - harness.Start, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(120));
        var intervals = queries.Zip(queries.Skip(1), (a, b) => b.At - a.At).ToList();
        var expected = Enumerable.Range(0, 12).Select(i => TimeSpan.FromSeconds(Math.Min(1 << i, 3600))).ToList();
        Assert.Equal(expected, intervals.Take(12));
        Assert.All(intervals.Skip(12), i => Assert.Equal(TimeSpan.FromHours(1), i));
        Assert.All(queries, q => Assert.False(q.Message.IsResponse));
        Assert.All(queries, q => Assert.False(q.Message.Questions[0].UnicastResponse));
    }

    [Fact]
    public void Response_WithAdditionals_ResolvesInstanceAtOnce()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        harness.Injected.Add((Announcement(), s_otherSource));
        harness.Run(TimeSpan.Zero);

        var resolved = Assert.Single(harness.EventsOf<MdnsServiceResolved>("b")).Service;
        Assert.Equal(s_other, resolved.Name);
        Assert.Equal(s_otherHost, resolved.Host);
        Assert.Equal(7420, resolved.Port);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("192.168.1.20"), 7420)], resolved.Endpoints);
        Assert.True(resolved.Txt.TryGetValue("id", out var id));
        Assert.Equal("OTHER", id);
        Assert.Single(engine.Services);
    }

    [Fact]
    public void Response_PointerOnly_AsksForSrvAndTxtThenAddresses()
    {
        var harness = new MdnsHarness();
        harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        harness.Injected.Add((Response([new PtrRecord(MdnsHarness.Service, s_other, 4500)]), s_otherSource));
        harness.Run(TimeSpan.Zero);

        var ask = harness.Log.Last();
        Assert.Contains(new DnsQuestion(s_other, DnsRecordType.Srv), ask.Message.Questions);
        Assert.Contains(new DnsQuestion(s_other, DnsRecordType.Txt), ask.Message.Questions);
        Assert.Empty(harness.EventsOf<MdnsServiceResolved>("b"));

        harness.Injected.Add((Response([Srv(), Txt()]), s_otherSource));
        harness.Run(TimeSpan.Zero);
        ask = harness.Log.Last();
        Assert.Equal([new DnsQuestion(s_otherHost, DnsRecordType.A), new DnsQuestion(s_otherHost, DnsRecordType.Aaaa)], ask.Message.Questions);

        harness.Injected.Add((Response([new AaaaRecord(s_otherHost, IPAddress.Parse("fe80::20"), 120, cacheFlush: true)]), s_otherSource));
        harness.Run(TimeSpan.Zero);

        // A link-local IPv6 address gets the scope of the interface it was heard on.
        var resolved = Assert.Single(harness.EventsOf<MdnsServiceResolved>("b")).Service;
        var endpoint = Assert.Single(resolved.Endpoints);
        Assert.Equal(IPAddress.Parse("fe80::20%2"), endpoint.Address);
        Assert.Equal(2, endpoint.Address.ScopeId);
    }

    [Fact]
    public void Resolving_NoAnswer_RetriesWithBackoffThenStops()
    {
        var harness = new MdnsHarness();
        harness.Add("b", "192.168.1.10", null, browse: true, new MdnsOptions { ResolveAttempts = 3 });
        harness.StartAll();
        harness.Injected.Add((Response([new PtrRecord(MdnsHarness.Service, s_other, 4500)]), s_otherSource));
        harness.Run(TimeSpan.FromSeconds(30));

        var asks = harness.Log.Where(s => s.Message.Questions.Any(q => q.Name == s_other)).ToList();
        Assert.Equal(3, asks.Count);
        Assert.Equal(TimeSpan.FromSeconds(1), asks[1].At - asks[0].At);
        Assert.Equal(TimeSpan.FromSeconds(2), asks[2].At - asks[1].At);
    }

    [Fact]
    public void Query_CarriesKnownAnswersWithMoreThanHalfTheirTtlLeft()
    {
        var harness = new MdnsHarness();
        harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        harness.Injected.Add((Response([new PtrRecord(MdnsHarness.Service, s_other, 100), Srv(), Txt(), Address()]), s_otherSource));

        // Queries at about 0.1, 1.1, 3.1, 7.1, 15.1, 31.1, 63.1 s: the PTR (TTL 100 s) is known until 50 s are left.
        harness.Run(TimeSpan.FromSeconds(40));
        var queries = harness.Log.Where(s => s.Message.Questions.Any(q => q.Type == DnsRecordType.Ptr)).ToList();
        var known = Assert.Single(queries.Last().Message.Answers);
        Assert.Equal(s_other, Assert.IsType<PtrRecord>(known).Target);
        Assert.InRange(known.Ttl, 50u, 100u);
        Assert.False(known.CacheFlush);

        harness.Run(TimeSpan.FromSeconds(30));
        var later = harness.Log.Where(s => s.Message.Questions.Any(q => q.Name == MdnsHarness.Service && q.Type == DnsRecordType.Ptr)).Last();
        Assert.True(later.At - harness.Start > TimeSpan.FromSeconds(60));
        Assert.Empty(later.Message.Answers);
    }

    [Fact]
    public void Goodbye_RemovesInstanceOneSecondLater()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        harness.Injected.Add((Announcement(), s_otherSource));
        harness.Run(TimeSpan.FromSeconds(5));
        Assert.Single(harness.EventsOf<MdnsServiceResolved>("b"));

        var goodbye = Response([.. Announcement().Answers.Select(r => r.WithTtl(0))]);
        harness.Injected.Add((goodbye, s_otherSource));
        var said = harness.Clock.GetUtcNow();
        harness.Run(TimeSpan.FromSeconds(2));

        var removed = Assert.Single(harness.Events, e => e.Event is MdnsServiceRemoved);
        Assert.Equal(TimeSpan.FromSeconds(1), removed.At - said);
        Assert.Equal(s_other, ((MdnsServiceRemoved)removed.Event).Service.Name);
        Assert.Empty(engine.Services);
    }

    [Fact]
    public void TtlExpiry_WithoutRefresh_RemovesInstance_AfterRefreshQueries()
    {
        var harness = new MdnsHarness();
        harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        var records = new DnsRecord[] { new PtrRecord(MdnsHarness.Service, s_other, 4500), Srv(ttl: 100), Txt(), Address() };
        harness.Injected.Add((Response(records), s_otherSource));
        harness.Run(TimeSpan.FromSeconds(200));

        // The SRV record (100 s) is asked for again at 80, 85, 90 and 95 % of its life, then expires.
        var srvQueries = harness.Log.Where(s => s.At - harness.Start < TimeSpan.FromSeconds(100)
            && s.Message.Questions.Contains(new DnsQuestion(s_other, DnsRecordType.Srv))).ToList();
        Assert.Equal(4, srvQueries.Count);
        foreach (var (query, percent) in srvQueries.Zip([80, 85, 90, 95]))
        {
            Assert.InRange((query.At - harness.Start).TotalSeconds, percent, percent + 2);
        }

        var removed = Assert.Single(harness.Events, e => e.Event is MdnsServiceRemoved);
        Assert.Equal(TimeSpan.FromSeconds(100), removed.At - harness.Start);
    }

    [Fact]
    public void RefreshAnswered_KeepsInstance()
    {
        var harness = new MdnsHarness();
        harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        var records = new DnsRecord[] { new PtrRecord(MdnsHarness.Service, s_other, 4500), Srv(ttl: 100), Txt(), Address(ttl: 4500) };
        harness.Injected.Add((Response(records), s_otherSource));
        harness.Run(TimeSpan.FromSeconds(81));
        harness.Injected.Add((Response([Srv(ttl: 100)]), s_otherSource));
        harness.Run(TimeSpan.FromSeconds(90));
        Assert.DoesNotContain(harness.Events, e => e.Event is MdnsServiceRemoved);
    }

    [Fact]
    public void CacheFlush_NewAddress_ReplacesOldOneAfterOneSecond()
    {
        var harness = new MdnsHarness();
        harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        harness.Injected.Add((Announcement(), s_otherSource));
        harness.Run(TimeSpan.FromSeconds(3));

        // The host moved: a new address with the cache-flush bit.
        harness.Injected.Add((Response([new ARecord(s_otherHost, IPAddress.Parse("192.168.1.77"), 120, cacheFlush: true)]), s_otherSource));
        harness.Run(TimeSpan.Zero);
        var both = harness.EventsOf<MdnsServiceResolved>("b").Last().Service.Endpoints;
        Assert.Equal(2, both.Count);

        harness.Run(TimeSpan.FromSeconds(1.5));
        var last = harness.EventsOf<MdnsServiceResolved>("b").Last().Service.Endpoints;
        Assert.Equal([new IPEndPoint(IPAddress.Parse("192.168.1.77"), 7420)], last);
    }

    [Fact]
    public void SharedRecordsWithoutCacheFlush_AreKept()
    {
        var harness = new MdnsHarness();
        harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        harness.Injected.Add((Announcement(), s_otherSource));
        var second = MdnsHarness.Service.Prepend("SECOND");
        harness.Run(TimeSpan.FromSeconds(3));
        harness.Injected.Add((Response([new PtrRecord(MdnsHarness.Service, second, 4500),
            new SrvRecord(second, 0, 0, 7421, s_otherHost, 120, cacheFlush: true), Txt(second)]), s_otherSource));
        harness.Run(TimeSpan.FromSeconds(3));

        Assert.Equal([s_other, second], harness.EventsOf<MdnsServiceResolved>("b").Select(e => e.Service.Name).Distinct());
        Assert.DoesNotContain(harness.Events, e => e.Event is MdnsServiceRemoved);
    }

    [Fact]
    public void Response_FromOtherPort_Ignored()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        harness.Injected.Add((Announcement(), new IPEndPoint(IPAddress.Parse("192.168.1.20"), 40000)));
        harness.Run(TimeSpan.FromSeconds(1));
        Assert.Empty(engine.Services);
    }

    [Fact]
    public void Receive_Garbage_CountedAndIgnored()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        Assert.False(engine.Receive(new MdnsDatagram(new byte[] { 0, 0, 0x84, 0, 0, 1 }, s_otherSource, 2)));
        Assert.False(engine.Receive(new MdnsDatagram(new byte[] { 0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1 }, s_otherSource, 2)));
        Assert.Equal(2, engine.MalformedDatagrams);
        Assert.Equal(Isg.Protocol.Errors.ProtocolErrorKind.Malformed, engine.LastMalformed.Kind);
    }

    [Fact]
    public void Response_WithNonzeroResponseCode_Ignored()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("b", "192.168.1.10", null, browse: true);
        harness.StartAll();
        var refused = new DnsMessage
        {
            Flags = DnsHeaderFlags.Response,
            ResponseCode = DnsResponseCode.Refused,
            Answers = Announcement().Answers,
        };
        harness.Injected.Add((refused, s_otherSource));
        harness.Run(TimeSpan.FromSeconds(1));
        Assert.Empty(engine.Services);
    }

    [Fact]
    public void Cache_Full_DropsNewRecords()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("b", "192.168.1.10", null, browse: true, new MdnsOptions { MaxCacheRecords = 3 });
        harness.StartAll();
        harness.Injected.Add((Response([.. Enumerable.Range(0, 50).Select(i => new PtrRecord(MdnsHarness.Service, MdnsHarness.Service.Prepend($"n{i}"), 4500))]),
            s_otherSource));
        harness.Run(TimeSpan.FromSeconds(1));
        var last = harness.Log.Last(s => s.Message.Questions.Any(q => q.Type == DnsRecordType.Srv));
        Assert.Equal(3 * 2, last.Message.Questions.Count);
        Assert.Empty(engine.Services);
    }

    [Fact]
    public void TwoEngines_FindEachOther_AndGoodbyeRemoves()
    {
        var harness = new MdnsHarness();
        var a = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement("AAAAAAA", "isg-aaaaaaa", 7421, "A"), browse: true, seed: 1);
        var b = harness.Add("b", "192.168.1.11", MdnsHarness.Announcement("BBBBBBB", "isg-bbbbbbb", 7422, "B"), browse: true, seed: 2);
        harness.StartAll();
        harness.Run(TimeSpan.FromSeconds(5));

        var seenByA = Assert.Single(a.Services);
        Assert.Equal(MdnsHarness.Service.Prepend("BBBBBBB"), seenByA.Name);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("192.168.1.11"), 7422)], seenByA.Endpoints);
        var seenByB = Assert.Single(b.Services);
        Assert.Equal(MdnsHarness.Service.Prepend("AAAAAAA"), seenByB.Name);

        harness.Stop(b);
        harness.Run(TimeSpan.FromSeconds(2));
        Assert.Empty(a.Services);
        Assert.Single(harness.EventsOf<MdnsServiceRemoved>("a"));
    }

    [Fact]
    public void TwoEngines_SameInstanceLabel_OneRenames()
    {
        var harness = new MdnsHarness();
        var a = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement("SAMEONE", "isg-a", 7421, "A"), browse: true, seed: 1);
        var b = harness.Add("b", "192.168.1.11", MdnsHarness.Announcement("SAMEONE", "isg-b", 7422, "B"), browse: true, seed: 2);
        harness.StartAll();
        harness.Run(TimeSpan.FromSeconds(10));

        Assert.True(a.Announced);
        Assert.True(b.Announced);
        Assert.NotEqual(a.InstanceName, b.InstanceName);
        Assert.Contains(MdnsHarness.Service.Prepend("SAMEONE (2)"), new[] { a.InstanceName, b.InstanceName });
        Assert.Equal(b.InstanceName, Assert.Single(a.Services).Name);
        Assert.Equal(a.InstanceName, Assert.Single(b.Services).Name);
    }

    [Fact]
    public void OwnAnnouncement_NotReported()
    {
        var harness = new MdnsHarness();
        var a = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: true);
        harness.StartAll();
        harness.Run(TimeSpan.FromSeconds(5));
        Assert.Empty(a.Services);
        Assert.Empty(harness.EventsOf<MdnsServiceResolved>("a"));
    }

    private static DnsMessage Announcement() => Response([new PtrRecord(MdnsHarness.Service, s_other, 4500), Srv(), Txt(), Address()]);

    private static SrvRecord Srv(uint ttl = 120) => new(s_other, 0, 0, 7420, s_otherHost, ttl, cacheFlush: true);

    private static TxtRecord Txt(DnsName? name = null) => TxtRecord.FromPairs(name ?? s_other, [new("id", "OTHER")], 4500, cacheFlush: true);

    private static ARecord Address(uint ttl = 120) => new(s_otherHost, IPAddress.Parse("192.168.1.20"), ttl, cacheFlush: true);

    private static DnsMessage Response(IReadOnlyList<DnsRecord> answers) =>
        new() { Flags = DnsHeaderFlags.Response | DnsHeaderFlags.Authoritative, Answers = answers };
}
