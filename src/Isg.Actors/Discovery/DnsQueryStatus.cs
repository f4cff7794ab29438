namespace Isg.Actors.Discovery;

/// <summary>How a unicast DNS query ended.</summary>
public enum DnsQueryStatus
{
    /// <summary>A server answered NOERROR (possibly with no records of the asked type).</summary>
    Answered,
    /// <summary>A server said the name does not exist (NXDOMAIN).</summary>
    NameError,
    /// <summary>No server answered usefully: timeouts, refusals, server failures, network errors.</summary>
    Failed,
}
