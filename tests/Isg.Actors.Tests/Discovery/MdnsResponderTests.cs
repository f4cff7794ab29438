using System.Net;
using Isg.Actors.Discovery;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Tests.Discovery;

/// <summary>The responder half of <see cref="MdnsEngine"/>, driven on a manual clock by <see cref="MdnsHarness"/>.</summary>
public sealed class MdnsResponderTests
{
    private static readonly DnsName s_instance = MdnsHarness.Service.Prepend("ABCDEFG");
    private static readonly DnsName s_host = DnsName.Parse("isg-abcdefg.local");
    private static readonly TimeSpan s_quarterSecond = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void Start_ThreeProbes250MsApart_ThenTwoAnnouncements1SApart()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        Assert.Empty(harness.Log);
        harness.Run(TimeSpan.FromSeconds(10));

        var probes = harness.Log.Where(s => !s.Message.IsResponse).ToList();
        Assert.Equal(3, probes.Count);
        Assert.InRange(probes[0].At - harness.Start, TimeSpan.Zero, s_quarterSecond);
        Assert.Equal(s_quarterSecond, probes[1].At - probes[0].At);
        Assert.Equal(s_quarterSecond, probes[2].At - probes[1].At);
        foreach (var probe in probes)
        {
            Assert.Null(probe.Destination);
            Assert.Equal([s_instance, s_host], probe.Message.Questions.Select(q => q.Name));
            Assert.All(probe.Message.Questions, q => Assert.Equal(DnsRecordType.Any, q.Type));
            Assert.Contains(probe.Message.Authorities, r => r is SrvRecord { Port: 7420 } srv && srv.Target == s_host);
            Assert.Contains(probe.Message.Authorities, r => r is TxtRecord);
            Assert.Contains(probe.Message.Authorities, r => r is ARecord a && a.Address.Equals(IPAddress.Parse("192.168.1.10")));
            Assert.All(probe.Message.Authorities, r => Assert.False(r.CacheFlush));
        }

        var announcements = harness.Log.Where(s => s.Message.IsResponse).ToList();
        Assert.Equal(2, announcements.Count);
        Assert.Equal(s_quarterSecond, announcements[0].At - probes[2].At);
        Assert.Equal(TimeSpan.FromSeconds(1), announcements[1].At - announcements[0].At);
        foreach (var announcement in announcements)
        {
            var message = announcement.Message;
            Assert.Equal(DnsHeaderFlags.Response | DnsHeaderFlags.Authoritative, message.Flags);
            Assert.Empty(message.Questions);
            var ptr = Assert.Single(message.Answers.OfType<PtrRecord>(), p => p.Name == MdnsHarness.Service);
            Assert.Equal(s_instance, ptr.Target);
            Assert.False(ptr.CacheFlush);
            Assert.Equal(4500u, ptr.Ttl);
            Assert.All(message.Answers.Where(r => r is SrvRecord or TxtRecord or ARecord), r => Assert.True(r.CacheFlush));
            Assert.Equal(120u, message.Answers.OfType<SrvRecord>().Single().Ttl);
            var txt = message.Answers.OfType<TxtRecord>().Single();
            Assert.True(txt.TryGetValue("id", out var id));
            Assert.Equal("X", id);
            Assert.Contains(message.Answers, r => r is PtrRecord p && p.Name == DnsName.Parse("_services._dns-sd._udp.local") && p.Target == MdnsHarness.Service);
            Assert.Contains(message.Additionals, r => r is NsecRecord n && n.Name == s_host && n.Types.SequenceEqual([DnsRecordType.A]));
        }

        var announced = Assert.Single(harness.EventsOf<MdnsAnnounced>("a"));
        Assert.Equal(s_instance, announced.Instance);
        Assert.True(engine.Announced);
        Assert.Null(engine.NextWakeUp);
    }

    [Fact]
    public void Probing_OwnProbeHeardBack_IsNoConflict()
    {
        // The harness loops every multicast back to its sender, as the socket does.
        var harness = new MdnsHarness();
        harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromSeconds(3));
        Assert.Empty(harness.EventsOf<MdnsNameConflict>("a"));
        Assert.Single(harness.EventsOf<MdnsAnnounced>("a"));
    }

    [Fact]
    public void Probing_AnswerForInstanceName_RenamesInstanceAndProbesAgain()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromMilliseconds(300));
        Assert.Single(harness.Log);

        // Another host already has the instance name (with its own port).
        harness.Injected.Add((Response(new SrvRecord(s_instance, 0, 0, 9999, DnsName.Parse("other.local"), 120, cacheFlush: true)),
            new IPEndPoint(IPAddress.Parse("192.168.1.99"), 5353)));
        harness.Run(TimeSpan.FromSeconds(5));

        var conflict = Assert.Single(harness.EventsOf<MdnsNameConflict>("a"));
        Assert.Equal(s_instance, conflict.Name);
        Assert.Equal(MdnsHarness.Service.Prepend("ABCDEFG (2)"), conflict.Replacement);
        Assert.Equal(conflict.Replacement, engine.InstanceName);
        Assert.Equal(s_host, engine.HostName);
        var probesForNewName = harness.Log.Where(s => !s.Message.IsResponse && s.Message.Questions[0].Name == conflict.Replacement).ToList();
        Assert.Equal(3, probesForNewName.Count);
        var announced = Assert.Single(harness.EventsOf<MdnsAnnounced>("a"));
        Assert.Equal(conflict.Replacement, announced.Instance);
        Assert.All(harness.Log.Where(s => s.Message.IsResponse).SelectMany(s => s.Message.Answers.OfType<SrvRecord>()),
            srv => Assert.Equal(conflict.Replacement, srv.Name));
    }

    [Fact]
    public void Probing_AnswerForHostName_RenamesHost()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromMilliseconds(300));
        harness.Injected.Add((Response(new ARecord(s_host, IPAddress.Parse("192.168.1.99"), 120, cacheFlush: true)),
            new IPEndPoint(IPAddress.Parse("192.168.1.99"), 5353)));
        harness.Run(TimeSpan.FromSeconds(3));

        Assert.Equal(DnsName.Parse("isg-abcdefg-2.local"), engine.HostName);
        Assert.Equal(s_instance, engine.InstanceName);
        var announcement = harness.Log.Last(s => s.Message.IsResponse).Message;
        Assert.Equal(engine.HostName, announcement.Answers.OfType<SrvRecord>().Single().Target);
    }

    [Fact]
    public void Probing_SimultaneousProbeWithLaterData_DefersOneSecond()
    {
        var harness = new MdnsHarness();
        harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromMilliseconds(300));
        var first = Assert.Single(harness.Log);

        // The other host proposes the same TXT and a higher port for the same instance: its data sorts later, so it
        // wins the tie-break (records compare in class, type, data order: TXT first, then SRV).
        harness.Injected.Add((Probe(SameTxt(), new SrvRecord(s_instance, 0, 0, 9999, s_host, 120)),
            new IPEndPoint(IPAddress.Parse("192.168.1.99"), 5353)));
        harness.Run(TimeSpan.FromSeconds(4));

        var probes = harness.Log.Where(s => !s.Message.IsResponse).ToList();
        Assert.Equal(1 + 3, probes.Count);
        Assert.Equal(TimeSpan.FromSeconds(1), probes[1].At - (harness.Start + TimeSpan.FromMilliseconds(300)));
        Assert.Empty(harness.EventsOf<MdnsNameConflict>("a"));
        Assert.True(first.At < probes[1].At);
    }

    [Fact]
    public void Probing_SimultaneousProbeWithEarlierData_KeepsProbing()
    {
        var harness = new MdnsHarness();
        harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromMilliseconds(300));
        var first = Assert.Single(harness.Log);

        // Port 1 sorts before our 7420: we win and go on.
        harness.Injected.Add((Probe(SameTxt(), new SrvRecord(s_instance, 0, 0, 1, s_host, 120)),
            new IPEndPoint(IPAddress.Parse("192.168.1.99"), 5353)));
        harness.Run(TimeSpan.FromSeconds(2));

        var probes = harness.Log.Where(s => !s.Message.IsResponse).ToList();
        Assert.Equal(3, probes.Count);
        Assert.Equal(first.At + s_quarterSecond, probes[1].At);
    }

    [Fact]
    public void Announced_ConflictingUniqueRecord_ProbesAgainThenRenames()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromSeconds(3));
        Assert.True(engine.Announced);
        var before = harness.Log.Count;

        var other = (Response(new SrvRecord(s_instance, 0, 0, 9999, DnsName.Parse("other.local"), 120, cacheFlush: true)),
            new IPEndPoint(IPAddress.Parse("192.168.1.99"), 5353));
        harness.Injected.Add(other);
        harness.Run(TimeSpan.FromMilliseconds(10));

        // RFC 6762 §9: back to probing under the same name; the other host defends it, so we rename.
        Assert.False(engine.Announced);
        Assert.Equal(s_instance, engine.InstanceName);
        harness.Run(TimeSpan.FromMilliseconds(300));
        Assert.Contains(harness.Log.Skip(before), s => !s.Message.IsResponse && s.Message.Questions[0].Name == s_instance);
        harness.Injected.Add(other);
        harness.Run(TimeSpan.FromSeconds(3));
        Assert.Equal(MdnsHarness.Service.Prepend("ABCDEFG (2)"), engine.InstanceName);
        Assert.True(engine.Announced);
    }

    [Fact]
    public void Announced_IdenticalRecordsFromElsewhere_NoConflict()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromSeconds(3));
        var announcement = harness.Log.Last(s => s.Message.IsResponse).Message;

        harness.Injected.Add((announcement, new IPEndPoint(IPAddress.Parse("192.168.1.99"), 5353)));
        harness.Run(TimeSpan.FromSeconds(1));
        Assert.True(engine.Announced);
        Assert.Empty(harness.EventsOf<MdnsNameConflict>("a"));
    }

    [Fact]
    public void Stop_AfterAnnouncing_SendsEveryRecordWithTtlZero()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromSeconds(3));
        var count = harness.Log.Count;

        harness.Stop(engine);

        var goodbye = Assert.Single(harness.Log.Skip(count));
        Assert.Null(goodbye.Destination);
        Assert.True(goodbye.Message.IsResponse);
        Assert.All(goodbye.Message.AllRecords, r => Assert.Equal(0u, r.Ttl));
        Assert.Contains(goodbye.Message.Answers, r => r is PtrRecord p && p.Target == s_instance);
        Assert.Contains(goodbye.Message.Answers, r => r is SrvRecord);
        Assert.Contains(goodbye.Message.Answers, r => r is ARecord);
        Assert.Null(engine.NextWakeUp);
    }

    [Fact]
    public void Stop_WhileProbing_SendsNothing()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromMilliseconds(300));
        var count = harness.Log.Count;
        harness.Stop(engine);
        Assert.Equal(count, harness.Log.Count);
    }

    [Fact]
    public void Query_ForServiceType_AnswersPtrAfter20To120MsWithAdditionals()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        harness.Injected.Add((Query(new DnsQuestion(MdnsHarness.Service, DnsRecordType.Ptr)), Querier()));
        harness.Run(TimeSpan.Zero);
        Assert.Equal(count, harness.Log.Count);

        var asked = harness.Clock.GetUtcNow();
        harness.Run(TimeSpan.FromMilliseconds(200));
        var response = Assert.Single(harness.Log.Skip(count));
        Assert.InRange(response.At - asked, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(120));
        Assert.Null(response.Destination);
        var ptr = Assert.Single(response.Message.Answers);
        Assert.Equal(s_instance, Assert.IsType<PtrRecord>(ptr).Target);
        Assert.Contains(response.Message.Additionals, r => r is SrvRecord);
        Assert.Contains(response.Message.Additionals, r => r is TxtRecord);
        Assert.Contains(response.Message.Additionals, r => r is ARecord);
        Assert.Contains(response.Message.Additionals, r => r is NsecRecord);
    }

    [Fact]
    public void Query_ForUniqueRecord_AnsweredAtOnce()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        harness.Injected.Add((Query(new DnsQuestion(s_instance, DnsRecordType.Srv)), Querier()));
        harness.Run(TimeSpan.Zero);
        var response = Assert.Single(harness.Log.Skip(count));
        Assert.IsType<SrvRecord>(Assert.Single(response.Message.Answers));
        Assert.Contains(response.Message.Additionals, r => r is ARecord);
    }

    [Theory]
    [InlineData(4500u, false)]
    [InlineData(2250u, false)]
    [InlineData(2249u, true)]
    public void Query_KnownAnswer_SuppressedWhenItHasHalfTheTtl(uint knownTtl, bool answered)
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        var query = new DnsMessage
        {
            Questions = [new DnsQuestion(MdnsHarness.Service, DnsRecordType.Ptr)],
            Answers = [new PtrRecord(MdnsHarness.Service, s_instance, knownTtl)],
        };
        harness.Injected.Add((query, Querier()));
        harness.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(answered, harness.Log.Skip(count).Any(s => s.Message.Answers.OfType<PtrRecord>().Any(p => p.Target == s_instance)));
    }

    [Fact]
    public void Query_QuestionWithQuBit_RecentlyMulticast_AnsweredByUnicast()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        harness.Injected.Add((Query(new DnsQuestion(s_instance, DnsRecordType.Srv, UnicastResponse: true)), Querier()));
        harness.Run(TimeSpan.FromSeconds(1));
        var response = Assert.Single(harness.Log.Skip(count));
        Assert.Equal(Querier(), response.Destination);
        Assert.IsType<SrvRecord>(Assert.Single(response.Message.Answers));
    }

    [Fact]
    public void Query_QuestionWithQuBit_NotMulticastForAQuarterTtl_AnsweredByMulticast()
    {
        var (harness, _) = Announced();

        // The SRV TTL is 120 s: after 30 s without multicasting it, a QU question gets a multicast answer.
        harness.Run(TimeSpan.FromSeconds(31));
        var count = harness.Log.Count;
        harness.Injected.Add((Query(new DnsQuestion(s_instance, DnsRecordType.Srv, UnicastResponse: true)), Querier()));
        harness.Run(TimeSpan.FromSeconds(1));
        var response = Assert.Single(harness.Log.Skip(count));
        Assert.Null(response.Destination);
    }

    [Fact]
    public void Query_SeveralQuestions_UniqueAnswersDelayed20To120Ms()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        var asked = harness.Clock.GetUtcNow();
        harness.Injected.Add((Query(new DnsQuestion(s_instance, DnsRecordType.Srv), new DnsQuestion(s_instance, DnsRecordType.Txt)), Querier()));
        harness.Run(TimeSpan.FromSeconds(1));
        var response = Assert.Single(harness.Log.Skip(count));
        Assert.InRange(response.At - asked, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(120));
        Assert.Equal(2, response.Message.Answers.Count);
    }

    [Fact]
    public void Query_FromLegacyPort_UnicastWithIdQuestionsAndShortTtls()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        var query = new DnsMessage { Id = 0x1234, Questions = [new DnsQuestion(s_host, DnsRecordType.A)] };
        var source = new IPEndPoint(IPAddress.Parse("192.168.1.99"), 40000);
        harness.Injected.Add((query, source));
        harness.Run(TimeSpan.Zero);

        var response = Assert.Single(harness.Log.Skip(count));
        Assert.Equal(source, response.Destination);
        Assert.Equal(0x1234, response.Message.Id);
        Assert.Equal(query.Questions, response.Message.Questions);
        var a = Assert.IsType<ARecord>(Assert.Single(response.Message.Answers));
        Assert.Equal(10u, a.Ttl);
        Assert.All(response.Message.AllRecords, r => Assert.False(r.CacheFlush));
    }

    [Fact]
    public void Query_SameRecordTwiceWithinASecond_MulticastOnce()
    {
        var (harness, _) = Announced();
        harness.Run(TimeSpan.FromSeconds(2));
        var count = harness.Log.Count;
        harness.Injected.Add((Query(new DnsQuestion(s_instance, DnsRecordType.Srv)), Querier()));
        harness.Run(TimeSpan.FromMilliseconds(500));
        harness.Injected.Add((Query(new DnsQuestion(s_instance, DnsRecordType.Srv)), Querier()));
        harness.Run(TimeSpan.FromMilliseconds(400));
        Assert.Single(harness.Log.Skip(count));

        harness.Run(TimeSpan.FromMilliseconds(200));
        harness.Injected.Add((Query(new DnsQuestion(s_instance, DnsRecordType.Srv)), Querier()));
        harness.Run(TimeSpan.FromMilliseconds(10));
        Assert.Equal(2, harness.Log.Skip(count).Count());
    }

    [Fact]
    public void Query_TypeTheNameDoesNotHave_AnsweredWithNsec()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        harness.Injected.Add((Query(new DnsQuestion(s_host, DnsRecordType.Aaaa)), Querier()));
        harness.Run(TimeSpan.FromSeconds(1));
        var response = Assert.Single(harness.Log.Skip(count));
        var nsec = Assert.IsType<NsecRecord>(Assert.Single(response.Message.Answers));
        Assert.True(nsec.CacheFlush);
        Assert.DoesNotContain(DnsRecordType.Nsec, nsec.Types);
        Assert.Equal(s_host, nsec.Name);
        Assert.DoesNotContain(DnsRecordType.Aaaa, nsec.Types);
    }

    [Fact]
    public void Query_Truncated_WaitsForTheRestOfTheKnownAnswers()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        var first = new DnsMessage { Flags = DnsHeaderFlags.Truncated, Questions = [new DnsQuestion(MdnsHarness.Service, DnsRecordType.Ptr)] };
        harness.Injected.Add((first, Querier()));
        harness.Run(TimeSpan.FromMilliseconds(300));
        Assert.Equal(count, harness.Log.Count);

        // The continuation packet lists our PTR as known: nothing is left to send.
        var rest = new DnsMessage { Answers = [new PtrRecord(MdnsHarness.Service, s_instance, 4500)] };
        harness.Injected.Add((rest, Querier()));
        harness.Run(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(harness.Log.Skip(count), s => s.Message.Answers.OfType<PtrRecord>().Any());
    }

    [Fact]
    public void Query_Truncated_AnsweredAfter400To500Ms()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        var asked = harness.Clock.GetUtcNow();
        harness.Injected.Add((new DnsMessage { Flags = DnsHeaderFlags.Truncated, Questions = [new DnsQuestion(MdnsHarness.Service, DnsRecordType.Ptr)] },
            Querier()));
        harness.Run(TimeSpan.FromSeconds(1));
        var response = Assert.Single(harness.Log.Skip(count));
        Assert.InRange(response.At - asked, TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void Query_Truncated_MoreTruncatedPackets_PostponeTheAnswer()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        harness.Injected.Add((new DnsMessage { Flags = DnsHeaderFlags.Truncated, Questions = [new DnsQuestion(MdnsHarness.Service, DnsRecordType.Ptr)] },
            Querier()));
        harness.Run(TimeSpan.FromMilliseconds(300));
        harness.Injected.Add((new DnsMessage { Flags = DnsHeaderFlags.Truncated, Answers = [new PtrRecord(MdnsHarness.Service, MdnsHarness.Service.Prepend("x"), 4500)] },
            Querier()));
        var last = harness.Clock.GetUtcNow();
        harness.Run(TimeSpan.FromSeconds(1));
        var response = Assert.Single(harness.Log.Skip(count));
        Assert.InRange(response.At - last, TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void Probe_ForOwnedName_DefendedAtOnceByMulticast()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        harness.Injected.Add((Probe(new SrvRecord(s_instance, 0, 0, 1, DnsName.Parse("other.local"), 120)), Querier()));
        harness.Run(TimeSpan.Zero);
        var defence = Assert.Single(harness.Log.Skip(count));
        Assert.Null(defence.Destination);
        Assert.Contains(defence.Message.Answers, r => r is SrvRecord { Port: 7420 });
    }

    [Fact]
    public void Probe_WithQuBit_ForRecentlyAnnouncedName_AnsweredByUnicastOnly()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        var probe = new DnsMessage
        {
            Questions = [new DnsQuestion(s_instance, DnsRecordType.Any, UnicastResponse: true)],
            Authorities = [new SrvRecord(s_instance, 0, 0, 1, DnsName.Parse("other.local"), 120)],
        };
        harness.Injected.Add((probe, Querier()));
        harness.Run(TimeSpan.FromSeconds(1));
        var defence = Assert.Single(harness.Log.Skip(count));
        Assert.Equal(Querier(), defence.Destination);
        Assert.Contains(defence.Message.Answers, r => r is SrvRecord { Port: 7420 });
    }

    [Fact]
    public void Response_SameAnswerFromAnotherResponder_OursNotSent()
    {
        var (harness, _) = Announced();
        var count = harness.Log.Count;
        harness.Injected.Add((Query(new DnsQuestion(MdnsHarness.Service, DnsRecordType.Ptr)), Querier()));
        harness.Run(TimeSpan.Zero);

        // Before our 20-120 ms delay runs out, someone else multicasts the same PTR with a full TTL.
        harness.Injected.Add((Response(new PtrRecord(MdnsHarness.Service, s_instance, 4500)), Querier()));
        harness.Run(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(harness.Log.Skip(count), s => s.Node == "a");
    }

    private static TxtRecord SameTxt() => TxtRecord.FromPairs(s_instance, [new("id", "X"), new("v", "1")], 4500);

    private static IPEndPoint Querier() => new(IPAddress.Parse("192.168.1.99"), 5353);

    private static (MdnsHarness Harness, MdnsEngine Engine) Announced()
    {
        var harness = new MdnsHarness();
        var engine = harness.Add("a", "192.168.1.10", MdnsHarness.Announcement(), browse: false);
        harness.StartAll();
        harness.Run(TimeSpan.FromSeconds(3));
        Assert.True(engine.Announced);
        return (harness, engine);
    }

    private static DnsMessage Query(params DnsQuestion[] questions) => new() { Questions = questions };

    private static DnsMessage Probe(params DnsRecord[] proposed) =>
        new() { Questions = [new DnsQuestion(s_instance, DnsRecordType.Any)], Authorities = proposed };

    private static DnsMessage Response(params DnsRecord[] answers) =>
        new() { Flags = DnsHeaderFlags.Response | DnsHeaderFlags.Authoritative, Answers = answers };
}
