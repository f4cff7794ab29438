using System.Net;
using Isg.Actors.Discovery;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Tests.Discovery;

public sealed class MdnsPacketsTests
{
    private static readonly DnsName s_service = DnsName.Parse("_isg._tcp.local");

    [Fact]
    public void Queries_KnownAnswersFit_OnePacket()
    {
        var packets = MdnsPackets.Queries([new DnsQuestion(s_service, DnsRecordType.Ptr)], Known(5), [], 1440);
        var packet = Assert.Single(packets);
        Assert.False(packet.IsTruncated);
        Assert.Equal(5, packet.Answers.Count);
    }

    [Fact]
    public void Queries_TooManyKnownAnswers_SplitWithTcOnAllButLast()
    {
        var known = Known(200);
        var packets = MdnsPackets.Queries([new DnsQuestion(s_service, DnsRecordType.Ptr)], known, [], 1440);

        Assert.True(packets.Count > 1);
        Assert.All(packets, p => Assert.InRange(p.ToArray().Length, 0, 1440));
        Assert.All(packets.SkipLast(1), p => Assert.True(p.IsTruncated));
        Assert.False(packets[^1].IsTruncated);
        Assert.Single(packets[0].Questions);
        Assert.All(packets.Skip(1), p => Assert.Empty(p.Questions));
        Assert.Equal(known.Count, packets.Sum(p => p.Answers.Count));
    }

    [Fact]
    public void Responses_AnswersTooBig_SplitOverPackets_AdditionalsOnlyWhereTheyFit()
    {
        var answers = Known(120);
        var additionals = new DnsRecord[] { new ARecord(DnsName.Parse("h.local"), IPAddress.Loopback, 120) };
        var packets = MdnsPackets.Responses(answers, additionals, 1440).ToList();

        Assert.True(packets.Count > 1);
        Assert.All(packets, p => Assert.InRange(p.ToArray().Length, 0, 1440));
        Assert.All(packets, p => Assert.True(p.IsResponse));
        Assert.Equal(answers.Count, packets.Sum(p => p.Answers.Count));
    }

    [Fact]
    public void Responses_AnswersFit_AdditionalsAddedUntilFull()
    {
        var answers = Known(1);
        var additionals = Known(100);
        var packet = Assert.Single(MdnsPackets.Responses(answers, additionals, 1440));
        Assert.InRange(packet.ToArray().Length, 0, 1440);
        Assert.InRange(packet.Additionals.Count, 1, 99);
    }

    private static List<DnsRecord> Known(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (DnsRecord)new PtrRecord(s_service, s_service.Prepend($"instance number {i:D4}"), 4500))];
}
