using System.Buffers;
using Google.Protobuf;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Repositories;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Swarm;

/// <summary>
/// Serves blocks to peers as they are stored (sealed: peers never see plaintext), one part of at most
/// <see cref="PartBytes"/> per answer: from <see cref="RecentBlocks"/> when given and it keeps the block, else from a
/// backend (a local store's through the page cache, see <see cref="LocalBlockStore.GetThroughPageCacheAsync"/>). The
/// last object read is kept, so the parts of one block cost one read. A part
/// leaves as the answer's <see cref="BlockResponse.Trailer"/>, a lease on the buffer the block was read into, so it is
/// written to the peer from there without a copy. Thread-safe: answers run concurrently.
/// </summary>
public sealed class BlockServer(Repository repository, ILogger logger, RecentBlocks? recent = null) : IDisposable
{
    /// <summary>Largest part of a sealed block in one answer (DESIGN.md §6: blocks ≤ 2 MiB per message).</summary>
    public const int PartBytes = 2 << 20;

    private readonly Lock _gate = new();
    private (BlockId Id, SharedBlockBytes Bytes)? _last;

    /// <summary>The answer to <paramref name="request"/> when it is a block request, else null.</summary>
    public async ValueTask<PeerFrame?> AnswerAsync(PeerFrame request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.BodyCase != PeerFrame.BodyOneofCase.BlockRequest)
        {
            return null;
        }

        var ask = request.BlockRequest;
        if (ask.BlockId.Length != Hash256.Length)
        {
            return Error(ErrorCode.BadRequest, $"block id of {ask.BlockId.Length} bytes");
        }

        var id = BlockId.FromBytes(ask.BlockId.Span);
        var part = await ReadPartAsync(id, ask.Offset, ask.MaxLength == 0 ? PartBytes : (int)Math.Min(ask.MaxLength, PartBytes), cancellationToken)
            .ConfigureAwait(false);
        return part ?? Error(ErrorCode.NotFound, $"block {id} is not stored here");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _last?.Bytes.Release();
            _last = null;
        }
    }

    private static PeerFrame Error(ErrorCode code, string message) => new() { Error = new ErrorReply { Code = code, Message = message } };

    private async ValueTask<PeerFrame?> ReadPartAsync(BlockId id, ulong offset, int length, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_last is { } last && last.Id == id)
            {
                return Slice(id, last.Bytes, offset, length);
            }
        }

        if (recent?.TryTake(id) is { } kept)
        {
            try
            {
                return Slice(id, kept, offset, length);
            }
            finally
            {
                kept.Release();
            }
        }

        // Most blocks sit on the primary backend under their usual name: read there first, without a catalogue query
        // per request; the catalogue's locations are for the rest (blocks kept on other backends).
        var primary = repository.Backends.Primary;
        var usual = repository.Key.ObjectName(id);
        if (await TryReadAsync(id, primary, usual, cancellationToken).ConfigureAwait(false) is { } fromPrimary)
        {
            return Keep(id, fromPrimary, offset, length);
        }

        IReadOnlyList<Catalog.StoredBlock> locations;
        using (var reader = repository.Catalog.CreateReader())
        {
            locations = reader.GetBlockLocations(id);
        }

        foreach (var location in locations)
        {
            if ((location.Backend == primary.Name && location.ObjectName == usual) || !repository.Backends.TryGet(location.Backend, out var backend))
            {
                continue;
            }

            if (await TryReadAsync(id, backend, location.ObjectName, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                return Keep(id, bytes, offset, length);
            }
        }

        return null;
    }

    private async ValueTask<IMemoryOwner<byte>?> TryReadAsync(BlockId id, IStorageBackend backend, string name, CancellationToken cancellationToken)
    {
        try
        {
            var read = backend is LocalBlockStore local ? local.GetThroughPageCacheAsync(name, cancellationToken) : backend.GetAsync(name, cancellationToken);
            return await read.ConfigureAwait(false);
        }
        catch (BackendException e)
        {
            if (e.Kind != BackendFailureKind.NotFound)
            {
                logger.LogDebug("block {Id} not readable from {Backend} for a peer: {Reason}", id, backend.Name, e.Message);
            }

            return null;
        }
    }

    private PeerFrame Keep(BlockId id, IMemoryOwner<byte> bytes, ulong offset, int length)
    {
        lock (_gate)
        {
            _last?.Bytes.Release();
            var shared = new SharedBlockBytes(bytes, bytes.Memory.Length);
            _last = (id, shared);
            return Slice(id, shared, offset, length);
        }
    }

    // While the caller holds a reference to the bytes (under _gate for _last), so the lease is taken on live bytes.
    private static PeerFrame Slice(BlockId id, SharedBlockBytes stored, ulong offset, int length)
    {
        var total = stored.Memory.Length;
        if (offset > (ulong)total)
        {
            return Error(ErrorCode.BadRequest, $"offset {offset} beyond the block's {total} bytes");
        }

        var start = (int)offset;
        var take = Math.Min(length, total - start);
        var part = new BlockResponse { BlockId = ByteString.CopyFrom(id.ToArray()), Offset = offset, TotalLength = (ulong)total };
        if (take > 0)
        {
            part.Trailer = new TrailingBytes(stored.Memory.Slice(start, take), stored.Lease());
        }

        return new PeerFrame { BlockResponse = part };
    }
}
