using Google.Protobuf;
using Isg.Actors.Catalog;
using Isg.Protocol.Crdt;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Sync;

/// <summary>
/// Answers a peer's catalogue requests (operations it lacks, range roots, surviving state) from the catalogue, with
/// its own readers, so answers run concurrently with the writer and with each other. Pages are bounded in bytes, so an
/// answer always fits a frame.
/// </summary>
public sealed class CatalogSyncResponder(CatalogDatabase catalog)
{
    /// <summary>Most bytes of operations in one answer (one operation larger than this still goes alone).</summary>
    public const int PageBytes = 2 << 20;

    /// <summary>Most operations or paths read for one answer.</summary>
    public const int PageItems = 4096;

    /// <summary>Most ranges one root request may ask about.</summary>
    public const int MaxRanges = 256;

    /// <summary>
    /// The answer to <paramref name="request"/> when it is a catalogue request, else null. A request that cannot be
    /// read gets an <see cref="ErrorReply"/> (BAD_REQUEST), not an exception.
    /// </summary>
    public PeerFrame? Answer(PeerFrame request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.BodyCase switch
        {
            PeerFrame.BodyOneofCase.OperationsRequest => AnswerOperations(request.OperationsRequest),
            PeerFrame.BodyOneofCase.MerkleRootRequest => AnswerRoots(request.MerkleRootRequest),
            PeerFrame.BodyOneofCase.PathStatesRequest => AnswerPathStates(request.PathStatesRequest),
            _ => null,
        };
    }

    /// <summary>The summary this node sends on connect and whenever its log grows.</summary>
    public SyncSummary Summary()
    {
        using var reader = catalog.CreateReader();
        var digest = reader.ComputeCatalogDigest(string.Empty, null);
        return new SyncSummary
        {
            Have = CrdtWire.ToWire(reader.ReadVersionVector()),
            CatalogRoot = ByteString.CopyFrom(digest.Root.ToArray()),
            FileCount = (ulong)digest.Count,
        };
    }

    private static PeerFrame Bad(string message) =>
        new() { Error = new ErrorReply { Code = ErrorCode.BadRequest, Message = message } };

    private PeerFrame AnswerOperations(OperationsRequest request)
    {
        if (!CrdtWire.TryFromWire(request.Have, out var have, out var error))
        {
            return Bad(error.Message);
        }

        var max = request.MaxOperations == 0 ? PageItems : (int)Math.Min(request.MaxOperations, PageItems);
        OperationsPage page;
        using (var reader = catalog.CreateReader())
        {
            page = reader.ReadOperationsAfter(have, max);
        }

        var response = new OperationsResponse
        {
            More = page.More,
            SnapshotRequired = page.SnapshotRequired,
            Collected = CrdtWire.ToWire(page.Collected),
        };
        if (page.SnapshotRequired)
        {
            return new PeerFrame { OperationsResponse = response };
        }

        // Operations come grouped by device in sequence order, so cutting the tail leaves each device a prefix: the
        // receiver's contiguous vector stays true.
        var bytes = 0;
        foreach (var operation in page.Operations)
        {
            var wire = CrdtWire.ToWire(operation);
            var size = wire.CalculateSize();
            if (response.Operations.Count > 0 && bytes + size > PageBytes)
            {
                response.More = true;
                break;
            }

            response.Operations.Add(wire);
            bytes += size;
        }

        return new PeerFrame { OperationsResponse = response };
    }

    private PeerFrame AnswerRoots(MerkleRootRequest request)
    {
        if (request.Ranges.Count > MaxRanges)
        {
            return Bad($"more than {MaxRanges} ranges");
        }

        var response = new MerkleRootResponse();
        using var reader = catalog.CreateReader();
        using var snapshot = reader.BeginSnapshot();
        var ranges = request.Ranges.Count == 0 ? [new PathRange()] : request.Ranges.ToArray();
        foreach (var range in ranges)
        {
            var digest = reader.ComputeCatalogDigest(range.Start, range.End.Length == 0 ? null : range.End);
            response.Roots.Add(new RangeRoot { Range = range, Root = ByteString.CopyFrom(digest.Root.ToArray()), Count = (ulong)digest.Count });
        }

        return new PeerFrame { MerkleRootResponse = response };
    }

    private PeerFrame AnswerPathStates(PathStatesRequest request)
    {
        var range = request.Range ?? new PathRange();
        var max = request.MaxPaths == 0 ? PageItems : (int)Math.Min(request.MaxPaths, PageItems);
        SurvivorsPage page;
        using (var reader = catalog.CreateReader())
        {
            page = reader.ReadSurvivors(range.Start, range.End.Length == 0 ? null : range.End, max);
        }

        var response = new PathStatesResponse { More = page.More, LastPath = page.LastPath ?? string.Empty };
        var bytes = 0;
        string? cutAt = null;
        foreach (var operation in page.Operations)
        {
            var wire = CrdtWire.ToWire(operation);
            var size = wire.CalculateSize();

            // Cut only between paths, so each path's survivors travel together.
            if (response.Surviving.Count > 0 && bytes + size > PageBytes && operation.Path != response.Surviving[^1].Path)
            {
                cutAt = response.Surviving[^1].Path;
                break;
            }

            response.Surviving.Add(wire);
            bytes += size;
        }

        if (cutAt is not null)
        {
            response.More = true;
            response.LastPath = cutAt;
        }

        return new PeerFrame { PathStatesResponse = response };
    }
}
