namespace Isg.Actors.Runtime;

/// <summary>How a router pool picks the routee for each message.</summary>
public enum RoutingStrategy
{
    /// <summary>Routees in turn.</summary>
    RoundRobin,

    /// <summary>The routee with the fewest queued plus in-flight messages (ties rotate).</summary>
    LeastBusy,
}
