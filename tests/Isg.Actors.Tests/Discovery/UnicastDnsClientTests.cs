using System.Net;
using Isg.Actors.Discovery;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Tests.Discovery;

public sealed class UnicastDnsClientTests
{
    private static readonly DnsName s_name = DnsName.Parse("isg.default.svc.cluster.local");

    [Fact]
    public async Task QueryAsync_ServerAnswers_ReturnsRecords()
    {
        await using var server = new FakeDnsServer(q => FakeDnsServer.Answer(q, [new ARecord(q.Questions[0].Name, IPAddress.Parse("10.1.2.3"), 30)]));
        var result = await Client(server).QueryAsync(s_name, DnsRecordType.A, CancellationToken.None);

        Assert.Equal(DnsQueryStatus.Answered, result.Status);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), Assert.Single(result.Answers<ARecord>()).Address);
        Assert.Equal(1, server.UdpQueries);
        Assert.Equal(0, server.TcpQueries);
    }

    [Fact]
    public async Task QueryAsync_TruncatedOverUdp_RetriesOverTcp()
    {
        var many = Enumerable.Range(1, 200).Select(i => new ARecord(s_name, IPAddress.Parse($"10.0.{i / 250}.{i % 250}"), 30)).ToList();
        await using var server = new FakeDnsServer(q => FakeDnsServer.Answer(q, many)) { TruncateUdp = true };
        var result = await Client(server).QueryAsync(s_name, DnsRecordType.A, CancellationToken.None);

        Assert.Equal(DnsQueryStatus.Answered, result.Status);
        Assert.Equal(200, result.Answers<ARecord>().Count());
        Assert.Equal(1, server.UdpQueries);
        Assert.Equal(1, server.TcpQueries);
    }

    [Fact]
    public async Task QueryAsync_SpoofWithWrongIdFirst_Ignored()
    {
        await using var server = new FakeDnsServer(q => FakeDnsServer.Answer(q, [new ARecord(s_name, IPAddress.Parse("10.1.2.3"), 30)]))
        {
            SendWrongIdFirst = true,
        };
        var result = await Client(server).QueryAsync(s_name, DnsRecordType.A, CancellationToken.None);
        Assert.Single(result.Answers<ARecord>());
    }

    [Fact]
    public async Task QueryAsync_Silent_FailsAfterEveryAttemptWithTimeout()
    {
        await using var server = new FakeDnsServer(_ => null);
        var client = Client(server, attempts: 2, timeoutMs: 100);
        var result = await client.QueryAsync(s_name, DnsRecordType.A, CancellationToken.None);

        Assert.Equal(DnsQueryStatus.Failed, result.Status);
        Assert.Contains("no answer within", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, server.UdpQueries);
    }

    [Fact]
    public async Task QueryAsync_NxDomain_NameError()
    {
        await using var server = new FakeDnsServer(q => FakeDnsServer.Answer(q, [], code: DnsResponseCode.NameError));
        var result = await Client(server).QueryAsync(s_name, DnsRecordType.A, CancellationToken.None);
        Assert.Equal(DnsQueryStatus.NameError, result.Status);
        Assert.Empty(result.Answers<ARecord>());
    }

    [Fact]
    public async Task QueryAsync_FirstServerFails_SecondAnswers()
    {
        await using var failing = new FakeDnsServer(q => FakeDnsServer.Answer(q, [], code: DnsResponseCode.ServerFailure));
        await using var working = new FakeDnsServer(q => FakeDnsServer.Answer(q, [new ARecord(s_name, IPAddress.Parse("10.1.2.3"), 30)]));
        var client = new UnicastDnsClient(new ResolvConf([failing.Endpoint, working.Endpoint], [], 1, TimeSpan.FromSeconds(2), 1));
        var result = await client.QueryAsync(s_name, DnsRecordType.A, CancellationToken.None);
        Assert.Equal(DnsQueryStatus.Answered, result.Status);
        Assert.Equal(1, failing.UdpQueries);
        Assert.Equal(1, working.UdpQueries);
    }

    [Fact]
    public async Task QueryAsync_Cancelled_Throws()
    {
        await using var server = new FakeDnsServer(_ => null);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(server, timeoutMs: 5000).QueryAsync(s_name, DnsRecordType.A, cancel.Token));
    }

    [Fact]
    public async Task QueryWithSearchAsync_ShortName_TriesSearchDomainsFirst()
    {
        var asked = new List<DnsName>();
        await using var server = new FakeDnsServer(q =>
        {
            lock (asked)
            {
                asked.Add(q.Questions[0].Name);
            }

            return q.Questions[0].Name == s_name
                ? FakeDnsServer.Answer(q, [new ARecord(s_name, IPAddress.Parse("10.1.2.3"), 30)])
                : FakeDnsServer.Answer(q, [], code: DnsResponseCode.NameError);
        });
        var client = new UnicastDnsClient(new ResolvConf([server.Endpoint], ["svc.cluster.local", "default.svc.cluster.local"], 5, TimeSpan.FromSeconds(2), 1));
        var result = await client.QueryWithSearchAsync("isg", DnsRecordType.A, CancellationToken.None);

        Assert.Equal(DnsQueryStatus.Answered, result.Status);
        Assert.Equal(s_name, result.Name);
        Assert.Equal([DnsName.Parse("isg.svc.cluster.local"), s_name], asked);
    }

    [Theory]
    [InlineData("isg.default.svc.cluster.local.", 5, new[] { "isg.default.svc.cluster.local" })]
    [InlineData("isg", 1, new[] { "isg.a.example", "isg.b.example", "isg" })]
    [InlineData("isg.ns", 1, new[] { "isg.ns", "isg.ns.a.example", "isg.ns.b.example" })]
    [InlineData("isg.ns", 5, new[] { "isg.ns.a.example", "isg.ns.b.example", "isg.ns" })]
    public void Candidates_FollowNdotsAndSearch(string name, int ndots, string[] expected)
    {
        var client = new UnicastDnsClient(new ResolvConf([new IPEndPoint(IPAddress.Loopback, 53)], ["a.example", "b.example"], ndots, TimeSpan.FromSeconds(1), 1));
        Assert.Equal(expected.Select(DnsName.Parse), client.Candidates(name));
    }

    private static UnicastDnsClient Client(FakeDnsServer server, int attempts = 1, int timeoutMs = 2000) =>
        new(new ResolvConf([server.Endpoint], [], 1, TimeSpan.FromMilliseconds(timeoutMs), attempts));
}
