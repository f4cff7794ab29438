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
/// Fetches one sealed block from one peer, part by part, opens it with the repository key, checks that the plaintext
/// hashes to the block's id, and writes the sealed bytes as they came to the primary backend under the block's usual
/// object name (<see cref="FetchedBlockCommitter"/> makes them durable and records them). Memory: one sealed block plus
/// its plaintext per call. Thread-safe: each call takes a sealer of its own from a pool (a sealer holds decompression
/// state that costs more to create than a small block costs to open).
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
        var idBytes = ByteString.CopyFrom(id.ToArray());
        IDisposable? holder = null;
        try
        {
            var total = -1;
            var received = 0;
            AlignedBuffer? assembled = null;
            ReadOnlyMemory<byte> sealedBlock = default;
            do
            {
                var answer = await peer.RequestAsync(
                    new PeerFrame { BlockRequest = new BlockRequest { BlockId = idBytes, Offset = (ulong)received } }, cancellationToken).ConfigureAwait(false);
                var trailer = answer.BodyCase == PeerFrame.BodyOneofCase.BlockResponse ? answer.BlockResponse.Trailer : null;
                try
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
                    var bytes = part.PartBytes;
                    if (!part.BlockId.Equals(idBytes) || part.Offset != (ulong)received || bytes.Length == 0
                        || part.TotalLength > (ulong)MaxSealedBytes || (total >= 0 && part.TotalLength != (ulong)total)
                        || (ulong)received + (ulong)bytes.Length > part.TotalLength)
                    {
                        return Bad($"sent a part that does not fit block {id} (offset {part.Offset}, {bytes.Length} of {part.TotalLength} bytes)");
                    }

                    if (total < 0)
                    {
                        total = (int)part.TotalLength;
                        if (bytes.Length == total)
                        {
                            // The whole block in one answer (the usual case): used where it arrived, not copied. A part
                            // that came after its frame is in an aligned buffer, which a direct-I/O store writes as is.
                            sealedBlock = bytes;
                            holder = trailer;
                            trailer = null;
                            break;
                        }

                        assembled = AlignedBuffer.Rent(total);
                        holder = assembled;
                    }

                    bytes.Span.CopyTo(assembled!.Memory.Span[received..]);
                    received += bytes.Length;
                }
                finally
                {
                    trailer?.Dispose();
                }
            }
            while (received < total);

            if (assembled is not null)
            {
                sealedBlock = assembled.Memory;
            }

            if (Open(id, sealedBlock.Span) is { } error)
            {
                return new FetchOutcome.Bad(error);
            }

            EnvelopeHeader.TryRead(sealedBlock.Span, out var header, out _);
            var primary = repository.Backends.Primary;
            var name = repository.Key.ObjectName(id);
            await primary.PutAsync(name, sealedBlock, cancellationToken).ConfigureAwait(false);
            return new FetchOutcome.Stored(new StoredBlock(id, header.PlaintextLength, total, (int)header.Compression, primary.Name, name));
        }
        finally
        {
            holder?.Dispose();
        }
    }

    private static FetchOutcome.Bad Bad(string message) => new(ProtocolError.Of(ProtocolErrorKind.BadField, message));

    // Null when the sealed block opens under our key; TryOpen also checks that the plaintext hashes to the id.
    private ProtocolError? Open(BlockId id, ReadOnlySpan<byte> sealedBlock)
    {
        if (!BlockSealer.TryReadPlaintextLength(sealedBlock, out var plainLength, out var error))
        {
            return error;
        }

        var plaintext = ArrayPool<byte>.Shared.Rent(Math.Max(1, plainLength));
        var sealer = _sealers.TryTake(out var pooled) ? pooled : new BlockSealer(repository.Key, SealOptions.Default);
        try
        {
            return sealer.TryOpen(id, sealedBlock, plaintext, out _, out error) == DecodeStatus.Done ? null : error;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plaintext);
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
