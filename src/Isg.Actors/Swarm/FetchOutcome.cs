using Isg.Actors.Catalog;
using Isg.Protocol.Errors;

namespace Isg.Actors.Swarm;

/// <summary>How fetching one block from one peer ended.</summary>
public abstract record FetchOutcome
{
    private FetchOutcome()
    {
    }

    /// <summary>The block arrived, checked out, and is written here at <paramref name="Block"/>'s location (not yet flushed).</summary>
    public sealed record Stored(StoredBlock Block) : FetchOutcome;

    /// <summary>The peer does not hold the block.</summary>
    public sealed record NotFound : FetchOutcome;

    /// <summary>The peer sent bytes that are not the block (bad part, failed authentication, wrong hash): penalise it.</summary>
    public sealed record Bad(ProtocolError Error) : FetchOutcome;
}
