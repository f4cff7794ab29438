using System.Net;
using Isg.Actors.Discovery;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Tests.Discovery;

public sealed class DnsPeerResolverTests
{
    private static readonly DnsName s_service = DnsName.Parse("isg.default.svc.cluster.local");
    private static readonly DnsName s_srvName = DnsName.Parse("_isg._tcp.isg.default.svc.cluster.local");
    private static readonly DnsName s_pod1 = DnsName.Parse("10-0-0-1.isg.default.svc.cluster.local");
    private static readonly DnsName s_pod2 = DnsName.Parse("10-0-0-2.isg.default.svc.cluster.local");

    [Fact]
    public async Task ResolveAsync_HeadlessService_SrvTargetsThenExtraAddressesWithDefaultPort()
    {
        await using var server = new FakeDnsServer(q => q.Questions[0] switch
        {
            { Type: DnsRecordType.Srv } s when s.Name == s_srvName => FakeDnsServer.Answer(q,
                [new SrvRecord(s_srvName, 0, 50, 7421, s_pod1, 30), new SrvRecord(s_srvName, 0, 50, 7421, s_pod2, 30)],
                [new ARecord(s_pod1, IPAddress.Parse("10.0.0.1"), 30)]),
            { Type: DnsRecordType.A } s when s.Name == s_pod2 => FakeDnsServer.Answer(q, [new ARecord(s_pod2, IPAddress.Parse("10.0.0.2"), 30)]),
            { Type: DnsRecordType.A } s when s.Name == s_service => FakeDnsServer.Answer(q,
                [new ARecord(s_service, IPAddress.Parse("10.0.0.1"), 30), new ARecord(s_service, IPAddress.Parse("10.0.0.3"), 30)]),
            _ => FakeDnsServer.Answer(q, []),
        });
        var resolver = new DnsPeerResolver(Client(server), 7420);
        var (endpoints, error) = await resolver.ResolveAsync("isg", CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(
            [new IPEndPoint(IPAddress.Parse("10.0.0.1"), 7421), new IPEndPoint(IPAddress.Parse("10.0.0.2"), 7421), new IPEndPoint(IPAddress.Parse("10.0.0.3"), 7420)],
            endpoints);
    }

    [Fact]
    public async Task ResolveAsync_NoSrv_AddressesWithDefaultPort()
    {
        await using var server = new FakeDnsServer(q => q.Questions[0].Type switch
        {
            DnsRecordType.A when q.Questions[0].Name == s_service => FakeDnsServer.Answer(q, [new ARecord(s_service, IPAddress.Parse("10.0.0.9"), 30)]),
            DnsRecordType.Aaaa when q.Questions[0].Name == s_service => FakeDnsServer.Answer(q, [new AaaaRecord(s_service, IPAddress.Parse("fd00::9"), 30)]),
            _ => FakeDnsServer.Answer(q, [], code: DnsResponseCode.NameError),
        });
        var (endpoints, error) = await new DnsPeerResolver(Client(server), 7420).ResolveAsync("isg", CancellationToken.None);
        Assert.Null(error);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.0.0.9"), 7420), new IPEndPoint(IPAddress.Parse("fd00::9"), 7420)], endpoints);
    }

    [Fact]
    public async Task ResolveAsync_EveryServerSilent_ReportsError()
    {
        await using var server = new FakeDnsServer(_ => null);
        var client = new UnicastDnsClient(new ResolvConf([server.Endpoint], ["default.svc.cluster.local"], 1, TimeSpan.FromMilliseconds(50), 1));
        var (endpoints, error) = await new DnsPeerResolver(client, 7420).ResolveAsync("isg", CancellationToken.None);
        Assert.Empty(endpoints);
        Assert.Contains("no answer within", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_NameDoesNotExist_EmptyWithoutError()
    {
        await using var server = new FakeDnsServer(q => FakeDnsServer.Answer(q, [], code: DnsResponseCode.NameError));
        var (endpoints, error) = await new DnsPeerResolver(Client(server), 7420).ResolveAsync("isg", CancellationToken.None);
        Assert.Empty(endpoints);
        Assert.Null(error);
    }

    private static UnicastDnsClient Client(FakeDnsServer server) =>
        new(new ResolvConf([server.Endpoint], ["default.svc.cluster.local"], 5, TimeSpan.FromSeconds(2), 1));
}
