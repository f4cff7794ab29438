using Isg.Protocol.Crdt;
using Isg.Protocol.Peers;

namespace Isg.Actors.Catalog;

/// <summary>One piece of replicated-catalogue upkeep for <see cref="MaintainReplica"/>.</summary>
public abstract record ReplicaMaintenance
{
    private ReplicaMaintenance()
    {
    }

    /// <summary>Log operations for entries no operation accounts for (<see cref="CatalogWriter.RecordMissingOperations"/>).</summary>
    public sealed record LogMissing : ReplicaMaintenance;

    /// <summary>Remember what <paramref name="Member"/> says it holds (<see cref="CatalogWriter.RecordMemberVector"/>).</summary>
    public sealed record MemberVector(DeviceId Member, VersionVector Vector) : ReplicaMaintenance;

    /// <summary>Count a peer's collected log prefix as held after taking its state (<see cref="CatalogWriter.AdoptCollected"/>).</summary>
    public sealed record AdoptCollected(VersionVector Collected) : ReplicaMaintenance;

    /// <summary>Collect what all of <paramref name="Members"/> have seen (<see cref="CatalogWriter.CollectOperations"/>).</summary>
    public sealed record Collect(IReadOnlyCollection<DeviceId> Members) : ReplicaMaintenance;
}
