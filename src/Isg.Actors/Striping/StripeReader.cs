using System.Buffers;
using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Transfers;
using Isg.Protocol.Erasure;
using Isg.Protocol.Hashing;
using Isg.Protocol.Sealing;

namespace Isg.Actors.Striping;

/// <summary>
/// Rebuilds shards of a stripe from the others: data shards are verified by opening them (AEAD and block hash),
/// parity shards by SHA-256 against their chunk id; reading stops once k good shards are known. Used by the
/// decode path for a block whose every copy is gone, and by the healer to write replacements. Not thread-safe
/// (it shares its owner's sealer): one per worker.
/// </summary>
public sealed class StripeReader(BackendSet backends, BlockSealer sealer)
{
    private readonly Dictionary<(int K, int M), ReedSolomonCodec> _codecs = [];

    /// <summary>Called for every shard found missing or damaged on the way (from the calling thread).</summary>
    public Action<ShardDamage>? DamageFound { get; set; }

    /// <summary>
    /// Rebuilds the shards of <paramref name="stripe"/> whose indexes are in <paramref name="wanted"/> (data or
    /// parity), without reading them. Returns their sealed bytes by index (the caller disposes them): a data shard
    /// trimmed to its block's stored size, a parity shard of the stripe's shard size. Throws
    /// <see cref="DataIntegrityException"/> when fewer than k of the other shards are good.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, PooledBuffer>> RebuildAsync(StripeLayout stripe, IReadOnlyCollection<int> wanted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripe);
        ArgumentNullException.ThrowIfNull(wanted);
        var total = stripe.K + stripe.M;
        var shardSize = stripe.ShardSize;
        var buffers = new byte[total][];
        var present = new bool[total];
        var byIndex = stripe.Shards.ToDictionary(s => s.Index);
        try
        {
            for (var i = 0; i < total; i++)
            {
                buffers[i] = ArrayPool<byte>.Shared.Rent(Math.Max(1, shardSize));
            }

            var good = 0;
            for (var index = 0; index < total && good < stripe.K; index++)
            {
                if (wanted.Contains(index) || !byIndex.TryGetValue(index, out var shard))
                {
                    continue;
                }

                if (await TryReadShardAsync(stripe, shard, buffers[index], cancellationToken).ConfigureAwait(false))
                {
                    buffers[index].AsSpan(shard.IsParity ? shardSize : shard.StoredSize, shardSize - (shard.IsParity ? shardSize : shard.StoredSize)).Clear();
                    present[index] = true;
                    good++;
                }
            }

            if (good < stripe.K)
            {
                throw new DataIntegrityException(
                    $"stripe {stripe.Id} ({stripe.K}+{stripe.M}) has {total - good} of {total} shards missing or damaged, more than its {stripe.M} parity shards can replace");
            }

            var shards = new Memory<byte>[total];
            for (var i = 0; i < total; i++)
            {
                shards[i] = buffers[i].AsMemory(0, shardSize);
            }

            CodecFor(stripe.K, stripe.M).Reconstruct(shards, present);
            var rebuilt = new Dictionary<int, PooledBuffer>(wanted.Count);
            foreach (var index in wanted)
            {
                if (index < 0 || index >= total)
                {
                    throw new ArgumentOutOfRangeException(nameof(wanted), index, $"stripe {stripe.Id} has shards 0..{total - 1}");
                }

                var length = index < stripe.K ? (byIndex.TryGetValue(index, out var shard) ? shard.StoredSize : shardSize) : shardSize;
                rebuilt[index] = PooledBuffer.CopyOf(buffers[index].AsSpan(0, length));
            }

            return rebuilt;
        }
        finally
        {
            foreach (var buffer in buffers)
            {
                if (buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
    }

    /// <summary>
    /// Rebuilds data block <paramref name="id"/> (shard <paramref name="index"/> of <paramref name="stripe"/>) from the
    /// other shards, opens and verifies it, and returns its plaintext (the caller disposes it). Throws
    /// <see cref="DataIntegrityException"/> naming the block and stripe when it cannot be rebuilt.
    /// </summary>
    public async Task<PooledBuffer> ReconstructBlockAsync(BlockId id, StripeLayout stripe, int index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripe);
        IReadOnlyDictionary<int, PooledBuffer> rebuilt;
        try
        {
            rebuilt = await RebuildAsync(stripe, [index], cancellationToken).ConfigureAwait(false);
        }
        catch (DataIntegrityException e)
        {
            throw new DataIntegrityException($"block {id} is lost: {e.Message}", e);
        }

        using var sealedBlock = rebuilt[index];
        return Open(id, sealedBlock.Span) ?? throw new DataIntegrityException(
            $"block {id} rebuilt from stripe {stripe.Id} ({stripe.K}+{stripe.M}) does not verify: a shard used to rebuild it is damaged");
    }

    /// <summary>Opens and verifies sealed block <paramref name="id"/>; null when it does not open or verify.</summary>
    public PooledBuffer? Open(BlockId id, ReadOnlySpan<byte> sealedBlock)
    {
        if (!BlockSealer.TryReadPlaintextLength(sealedBlock, out var plainLength, out _))
        {
            return null;
        }

        var plaintext = PooledBuffer.Rent(plainLength);
        if (sealer.TryOpen(id, sealedBlock, plaintext.Span, out var written, out _) == Protocol.Errors.DecodeStatus.Done && written == plainLength)
        {
            return plaintext;
        }

        plaintext.Dispose();
        return null;
    }

    // Reads one shard from any of its locations into destination; verifies it; reports the copies that fail.
    private async Task<bool> TryReadShardAsync(StripeLayout stripe, StripeShard shard, byte[] destination, CancellationToken cancellationToken)
    {
        foreach (var (backendName, objectName) in shard.Locations)
        {
            string reason;
            if (!backends.TryGet(backendName, out var backend))
            {
                reason = $"backend {backendName} is not configured";
            }
            else
            {
                try
                {
                    using var bytes = await backend.GetAsync(objectName, cancellationToken).ConfigureAwait(false);
                    var span = bytes.Memory.Span;
                    if (Verify(stripe, shard, span))
                    {
                        span.CopyTo(destination);
                        return true;
                    }

                    reason = "damaged";
                }
                catch (BackendException e)
                {
                    reason = e.Kind == BackendFailureKind.NotFound ? "missing" : e.Message;
                }
            }

            DamageFound?.Invoke(new ShardDamage(shard.Id, stripe.Id, shard.Index, backendName, objectName, reason));
        }

        return false;
    }

    private bool Verify(StripeLayout stripe, StripeShard shard, ReadOnlySpan<byte> bytes) => shard.IsParity
        ? ShardVerification.ParityProblem(bytes, stripe.ShardSize, shard.Id) is null
        : bytes.Length <= stripe.ShardSize && ShardVerification.DataProblem(sealer, shard.Id, bytes, shard.StoredSize) is null;

    private ReedSolomonCodec CodecFor(int k, int m)
    {
        if (!_codecs.TryGetValue((k, m), out var codec))
        {
            codec = ReedSolomonCodec.Create(k, m, ErasureImplementation.Auto);
            _codecs.Add((k, m), codec);
        }

        return codec;
    }
}
