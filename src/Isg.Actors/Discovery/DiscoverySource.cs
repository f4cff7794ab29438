namespace Isg.Actors.Discovery;

/// <summary>How a peer's addresses were found.</summary>
public enum DiscoverySource
{
    /// <summary>mDNS / DNS-SD on the local link.</summary>
    Mdns,
    /// <summary>An address configured for the peer (`isg peer add ID --address`, options).</summary>
    Static,
    /// <summary>Unicast DNS: SRV and A/AAAA records of a name (a Kubernetes headless Service).</summary>
    Dns,
}
