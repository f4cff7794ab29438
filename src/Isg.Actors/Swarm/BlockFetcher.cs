using System.Buffers;
using System.Collections.Concurrent;
using Google.Protobuf;
using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Repositories;
using Isg.Actors.Storage;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers.Wire;
using Isg.Protocol.Sealing;

namespace Isg.Actors.Swarm;

/// <summary>
/// Fetches one sealed block from one peer, part by part, authenticates it as the block's id under the repository key,
/// and writes the sealed bytes as they came to the primary backend under the block's usual object name
/// (<see cref="FetchedBlockCommitter"/> makes them durable and records them). Memory: one sealed block plus its
/// decrypted payload per call. Thread-safe: each call takes a sealer of its own from a pool (a sealer holds compression
/// state that costs more to create than a small block costs to check).
/// </summary>
public sealed class BlockFetcher(Repository repository) : IDisposable
{
    private readonly ConcurrentBag<BlockSealer> _sealers = [];
    private volatile bool _disposed;

    /// <summary>Largest sealed block accepted from a peer.</summary>
    public static int MaxSealedBytes { get; } = BlockSealer.MaxSealedLength(EnvelopeHeader.MaxPlaintextLength);

    /// <summary>
    /// Fetches <paramref name="id"/> from <paramref name="peer"/>. Returns <see cref="FetchOutcome.Stored"/> once the
    /// block is written here (not yet flushed nor recorded in the catalogue), <see cref="FetchOutcome.NotFound"/> or
    /// <see cref="FetchOutcome.Bad"/>. Throws <see cref="PeerUnavailableException"/>, <see cref="Backends.BackendException"/>
    /// (storing failed) or <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<FetchOutcome> FetchAsync(BlockId id, IPeerLink peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var (owner, sealedBlock, failure) = await ReceiveAsync(id, peer, cancellationToken).ConfigureAwait(false);
        using (owner)
        {
            if (failure is not null)
            {
                return failure;
            }

            if (Open(id, sealedBlock.Span) is { } error)
            {
                return new FetchOutcome.Bad(error);
            }

            EnvelopeHeader.TryRead(sealedBlock.Span, out var header, out _);
            var primary = repository.Backends.Primary;
            var name = repository.Key.ObjectName(id);
            await primary.PutAsync(name, sealedBlock, cancellationToken).ConfigureAwait(false);
            return new FetchOutcome.Stored(new StoredBlock(id, header.PlaintextLength, sealedBlock.Length, (int)header.Compression, primary.Name, name));
        }
    }

    // The sealed block as the peer sent it, part by part, with what keeps its bytes alive (null when they lie in a
    // frame's message); or why the peer's answers do not make one. The whole block in one answer (the usual case) is
    // used where it arrived, not copied: a part that came after its frame is in a buffer a direct-I/O store writes as is.
    private static async Task<(IDisposable? Owner, ReadOnlyMemory<byte> Sealed, FetchOutcome? Failure)> ReceiveAsync(
        BlockId id, IPeerLink peer, CancellationToken cancellationToken)
    {
        var idBytes = ByteString.CopyFrom(id.ToArray());
        IMemoryOwner<byte>? assembled = null;
        var received = 0;
        try
        {
            do
            {
                var answer = await peer.RequestAsync(
                    new PeerFrame { BlockRequest = new BlockRequest { BlockId = idBytes, Offset = (ulong)received } }, cancellationToken).ConfigureAwait(false);
                var trailer = answer.BodyCase == PeerFrame.BodyOneofCase.BlockResponse ? answer.BlockResponse.Trailer : null;
                if (Misfit(id, idBytes, answer, received, assembled?.Memory.Length) is { } failure)
                {
                    trailer?.Dispose();
                    assembled?.Dispose();
                    return (null, default, failure);
                }

                var part = answer.BlockResponse;
                var bytes = part.PartBytes;
                if (assembled is null && bytes.Length == (int)part.TotalLength)
                {
                    return (trailer, bytes, null);
                }

                assembled ??= AlignedBuffer.RentForStore((int)part.TotalLength);
                bytes.Span.CopyTo(assembled.Memory.Span[received..]);
                received += bytes.Length;
                trailer?.Dispose();
            }
            while (received < assembled.Memory.Length);

            return (assembled, assembled.Memory, null);
        }
        catch
        {
            assembled?.Dispose();
            throw;
        }
    }

    // NotFound or Bad when an answer is not the next part of the block (total: its length, once a first part gave it).
    private static FetchOutcome? Misfit(BlockId id, ByteString idBytes, PeerFrame answer, int received, int? total)
    {
        if (answer.BodyCase == PeerFrame.BodyOneofCase.Error && answer.Error.Code == ErrorCode.NotFound)
        {
            return new FetchOutcome.NotFound();
        }

        if (answer.BodyCase != PeerFrame.BodyOneofCase.BlockResponse)
        {
            return Bad($"answered a block request with {answer.BodyCase}");
        }

        var part = answer.BlockResponse;
        var length = part.PartBytes.Length;
        if (!part.BlockId.Equals(idBytes) || part.Offset != (ulong)received || length == 0
            || part.TotalLength > (ulong)MaxSealedBytes || (total is { } known && part.TotalLength != (ulong)known)
            || (ulong)received + (ulong)length > part.TotalLength)
        {
            return Bad($"sent a part that does not fit block {id} (offset {part.Offset}, {length} of {part.TotalLength} bytes)");
        }

        return null;
    }

    private static FetchOutcome.Bad Bad(string message) => new(ProtocolError.Of(ProtocolErrorKind.BadField, message));

    // Null when the sealed block authenticates as the id under our key (BlockSealer.TryAuthenticate). The plaintext is
    // neither decompressed nor hashed here: the AEAD key is derived from the id, so only a holder of the repository key
    // (a device that may write the catalogue anyway) can seal a block that passes, and every read of the block hashes
    // it. Hashing it here too cost a fifth of a receiving node's CPU.
    private ProtocolError? Open(BlockId id, ReadOnlySpan<byte> sealedBlock)
    {
        var sealer = _sealers.TryTake(out var pooled) ? pooled : new BlockSealer(repository.Key, SealOptions.Default);
        try
        {
            return sealer.TryAuthenticate(id, sealedBlock, out var error) == DecodeStatus.Done ? null : error;
        }
        finally
        {
            Release(sealer);
        }
    }

    /// <summary>Frees the pooled sealers; fetches still running free theirs when they end.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_sealers.TryTake(out var sealer))
        {
            sealer.Dispose();
        }
    }

    private void Release(BlockSealer sealer)
    {
        _sealers.Add(sealer);
        if (_disposed)
        {
            Dispose(); // raced with Dispose: this one may have come after its sweep
        }
    }
}
