using System.Net;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>
/// Peer endpoints behind a DNS name, as a Kubernetes headless Service publishes them: SRV records of
/// <c>_isg._tcp.NAME</c> (target and port, the target's addresses from the additional section or asked for), plus
/// the A and AAAA records of NAME itself with the default port for addresses the SRV records did not cover.
/// </summary>
public sealed class DnsPeerResolver(UnicastDnsClient client, int defaultPort)
{
    /// <summary>The service label prefix asked for.</summary>
    public const string ServicePrefix = "_isg._tcp.";

    /// <summary>
    /// Resolves <paramref name="name"/>: the endpoints found (distinct, SRV order first), and an error when nothing
    /// could be looked up at all (every query failed).
    /// </summary>
    public async Task<(IReadOnlyList<IPEndPoint> Endpoints, string? Error)> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var endpoints = new List<IPEndPoint>();
        var errors = new List<string>();

        var srv = await client.QueryWithSearchAsync(ServicePrefix + name, DnsRecordType.Srv, cancellationToken).ConfigureAwait(false);
        Note(srv, errors);
        foreach (var record in srv.Answers<SrvRecord>().OrderBy(r => r.Priority).ThenByDescending(r => r.Weight))
        {
            var known = srv.Response!.Answers.Concat(srv.Response.Additionals).Where(r => r.Name.Equals(record.Target)).ToList();
            var addresses = Addresses(known).ToList();
            if (addresses.Count == 0)
            {
                foreach (var type in new[] { DnsRecordType.A, DnsRecordType.Aaaa })
                {
                    var result = await client.QueryAsync(record.Target, type, cancellationToken).ConfigureAwait(false);
                    Note(result, errors);
                    addresses.AddRange(Addresses(result.Response?.Answers ?? []));
                }
            }

            foreach (var address in addresses)
            {
                Add(endpoints, new IPEndPoint(address, record.Port));
            }
        }

        var bySrv = endpoints.Select(e => e.Address).ToHashSet();
        var failed = srv.Status == DnsQueryStatus.Failed;
        foreach (var type in new[] { DnsRecordType.A, DnsRecordType.Aaaa })
        {
            var result = await client.QueryWithSearchAsync(name, type, cancellationToken).ConfigureAwait(false);
            Note(result, errors);
            failed &= result.Status == DnsQueryStatus.Failed;
            foreach (var address in Addresses(result.Response?.Answers ?? []))
            {
                if (!bySrv.Contains(address))
                {
                    Add(endpoints, new IPEndPoint(address, defaultPort));
                }
            }
        }

        return (endpoints, failed && endpoints.Count == 0 ? string.Join("; ", errors.Distinct()) : null);
    }

    private static IEnumerable<IPAddress> Addresses(IEnumerable<DnsRecord> records) => records.OfType<AddressRecord>().Select(r => r.Address);

    private static void Add(List<IPEndPoint> endpoints, IPEndPoint endpoint)
    {
        if (!endpoints.Contains(endpoint))
        {
            endpoints.Add(endpoint);
        }
    }

    private static void Note(DnsQueryResult result, List<string> errors)
    {
        if (result.Status == DnsQueryStatus.Failed && result.Error is not null)
        {
            errors.Add(result.Error);
        }
    }
}
