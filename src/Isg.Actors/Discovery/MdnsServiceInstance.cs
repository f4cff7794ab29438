using System.Net;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>A resolved DNS-SD service instance: its name, SRV target and port, the target's addresses as endpoints, and its TXT record.</summary>
internal sealed record MdnsServiceInstance(DnsName Name, DnsName Host, ushort Port, IReadOnlyList<IPEndPoint> Endpoints, TxtRecord Txt)
{
    /// <summary>True when host, port, endpoints (in any order) and TXT data are the same.</summary>
    public bool HasSameData(MdnsServiceInstance other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Name.Equals(other.Name) && Host.Equals(other.Host) && Port == other.Port
            && Endpoints.Count == other.Endpoints.Count && Endpoints.All(other.Endpoints.Contains)
            && DnsRecord.SameData.Equals(Txt, other.Txt);
    }
}
