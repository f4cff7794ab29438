using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Protocol.Crdt;
using Isg.Protocol.Errors;
using Isg.Protocol.Peers.Wire;
using CatalogOperation = Isg.Protocol.Crdt.CatalogOperation;
using VersionVector = Isg.Protocol.Crdt.VersionVector;

namespace Isg.Actors.Sync;

/// <summary>
/// Pulls what one peer has and this catalogue lacks: its operations page by page (or its surviving state when it has
/// collected what we lack), and, when both logs agree but the catalogues' roots differ (drift), the surviving state of
/// the ranges whose roots differ. Everything is applied through the catalogue actor, the only writer;
/// <paramref name="applied"/> is called after each page that changed the catalogue (so blocks can be fetched while
/// later pages come).
/// </summary>
public sealed class CatalogPuller(CatalogDatabase catalog, IActorRef<ICatalogCommand> writer, TimeSpan applyTimeout, Action? applied = null)
{
    /// <summary>How many path ranges a drift check compares at once.</summary>
    public const int DriftRanges = 16;

    /// <summary>
    /// Pulls every operation <paramref name="peer"/> has that this catalogue lacks; returns how many were applied.
    /// Throws <see cref="PeerMisbehavedException"/> for a malformed answer, <see cref="PeerUnavailableException"/> when
    /// the peer goes away, and <see cref="CatalogException"/> when the catalogue cannot take them.
    /// </summary>
    public async Task<int> PullOperationsAsync(IPeerLink peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var applied = 0;
        while (true)
        {
            VersionVector have;
            using (var reader = catalog.CreateReader())
            {
                have = reader.ReadVersionVector();
            }

            var answer = await peer.RequestAsync(
                new PeerFrame { OperationsRequest = new OperationsRequest { Have = CrdtWire.ToWire(have), MaxOperations = CatalogSyncResponder.PageItems } },
                cancellationToken).ConfigureAwait(false);
            var response = Expect(peer, answer, PeerFrame.BodyOneofCase.OperationsResponse).OperationsResponse;
            if (response.SnapshotRequired)
            {
                if (!CrdtWire.TryFromWire(response.Collected, out var collected, out var error))
                {
                    throw new PeerMisbehavedException(peer.Remote, error);
                }

                applied += await PullStateAsync(peer, new PathRange(), cancellationToken).ConfigureAwait(false);
                await MaintainAsync(new ReplicaMaintenance.AdoptCollected(collected), cancellationToken).ConfigureAwait(false);
                continue;
            }

            var operations = Read(peer, response.Operations);
            if (operations.Count > 0)
            {
                applied += await ApplyAsync(operations, cancellationToken).ConfigureAwait(false);
            }

            // An answer that moved nothing cannot be followed by a better one: stop rather than spin.
            if (!response.More || operations.Count == 0)
            {
                return applied;
            }
        }
    }

    /// <summary>
    /// Compares the catalogue's roots with <paramref name="peer"/>'s over <see cref="DriftRanges"/> path ranges and
    /// takes the peer's surviving state of every range that differs. Returns how many operations that applied (0 when
    /// nothing differed). The peer does the same the other way, so both converge.
    /// </summary>
    public async Task<int> RepairDriftAsync(IPeerLink peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var ranges = SplitRanges();
        var request = new MerkleRootRequest();
        request.Ranges.AddRange(ranges);
        var answer = await peer.RequestAsync(new PeerFrame { MerkleRootRequest = request }, cancellationToken).ConfigureAwait(false);
        var roots = Expect(peer, answer, PeerFrame.BodyOneofCase.MerkleRootResponse).MerkleRootResponse.Roots;
        if (roots.Count != ranges.Count)
        {
            throw new PeerMisbehavedException(peer.Remote, ProtocolError.Of(ProtocolErrorKind.BadField, $"{roots.Count} roots for {ranges.Count} ranges"));
        }

        var applied = 0;
        for (var i = 0; i < ranges.Count; i++)
        {
            CatalogDigest mine;
            using (var reader = catalog.CreateReader())
            {
                mine = reader.ComputeCatalogDigest(ranges[i].Start, ranges[i].End.Length == 0 ? null : ranges[i].End);
            }

            if (!roots[i].Root.Span.SequenceEqual(mine.Root.ToArray()))
            {
                applied += await PullStateAsync(peer, ranges[i], cancellationToken).ConfigureAwait(false);
            }
        }

        return applied;
    }

    // Takes the peer's surviving operations of `range`, page by page.
    private async Task<int> PullStateAsync(IPeerLink peer, PathRange range, CancellationToken cancellationToken)
    {
        var applied = 0;
        var start = range.Start;
        while (true)
        {
            var request = new PathStatesRequest { Range = new PathRange { Start = start, End = range.End }, MaxPaths = CatalogSyncResponder.PageItems };
            var answer = await peer.RequestAsync(new PeerFrame { PathStatesRequest = request }, cancellationToken).ConfigureAwait(false);
            var response = Expect(peer, answer, PeerFrame.BodyOneofCase.PathStatesResponse).PathStatesResponse;
            var operations = Read(peer, response.Surviving);
            if (operations.Count > 0)
            {
                applied += await ApplyAsync(operations, cancellationToken).ConfigureAwait(false);
            }

            // Paths hold no NUL, so the next path after `last` starts at last + U+0001 or later.
            var next = response.LastPath + "\u0001";
            if (!response.More || response.LastPath.Length == 0 || string.CompareOrdinal(next, start) <= 0)
            {
                return applied;
            }

            start = next;
        }
    }

    // Range bounds at the quantiles of this catalogue's paths: each range holds about as many entries here.
    private List<PathRange> SplitRanges()
    {
        List<string> paths;
        using (var reader = catalog.CreateReader())
        {
            paths = [.. reader.ListFiles(string.Empty).Select(f => f.Path)];
        }

        var bounds = new List<string> { string.Empty };
        for (var i = 1; i < DriftRanges && paths.Count >= DriftRanges; i++)
        {
            var bound = paths[(int)((long)paths.Count * i / DriftRanges)];
            if (string.CompareOrdinal(bound, bounds[^1]) > 0)
            {
                bounds.Add(bound);
            }
        }

        var ranges = new List<PathRange>(bounds.Count);
        for (var i = 0; i < bounds.Count; i++)
        {
            ranges.Add(new PathRange { Start = bounds[i], End = i + 1 < bounds.Count ? bounds[i + 1] : string.Empty });
        }

        return ranges;
    }

    private async Task<int> ApplyAsync(List<CatalogOperation> operations, CancellationToken cancellationToken)
    {
        var reply = await writer.AskAsync<ICatalogCommand, OperationsApplied>(r => new ApplyOperations(operations, r), applyTimeout, cancellationToken)
            .ConfigureAwait(false);
        if (reply.Failure is not null)
        {
            throw reply.Failure;
        }

        if (reply.Result!.Applied > 0)
        {
            applied?.Invoke();
        }

        return reply.Result.Applied;
    }

    private async Task MaintainAsync(ReplicaMaintenance work, CancellationToken cancellationToken)
    {
        var reply = await writer.AskAsync<ICatalogCommand, MaintenanceDone>(r => new MaintainReplica(work, r), applyTimeout, cancellationToken)
            .ConfigureAwait(false);
        if (reply.Failure is not null)
        {
            throw reply.Failure;
        }
    }

    private static List<CatalogOperation> Read(IPeerLink peer, IEnumerable<Isg.Protocol.Peers.Wire.CatalogOperation> messages)
    {
        var operations = new List<CatalogOperation>();
        foreach (var message in messages)
        {
            if (!CrdtWire.TryFromWire(message, out var operation, out var error))
            {
                throw new PeerMisbehavedException(peer.Remote, error);
            }

            operations.Add(operation);
        }

        return operations;
    }

    private static PeerFrame Expect(IPeerLink peer, PeerFrame answer, PeerFrame.BodyOneofCase expected)
    {
        if (answer.BodyCase == expected)
        {
            return answer;
        }

        if (answer.BodyCase == PeerFrame.BodyOneofCase.Error)
        {
            throw new PeerRequestFailedException(peer.Remote, answer.Error.Code, answer.Error.Message);
        }

        throw new PeerMisbehavedException(peer.Remote, ProtocolError.Of(ProtocolErrorKind.BadField, $"expected {expected}, got {answer.BodyCase}"));
    }
}
