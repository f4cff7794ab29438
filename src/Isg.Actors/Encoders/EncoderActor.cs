using Isg.Actors.Catalog;
using Isg.Actors.Healing;
using Isg.Actors.Repositories;
using Isg.Actors.Runtime;
using Isg.Actors.Swarm;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Encoders;

/// <summary>
/// One worker of the encoder pool: hashes, deduplicates, compresses, seals and stores chunks, and opens and
/// verifies blocks on the way back. CPU-bound work runs here, one message at a time per worker; the pool has
/// one worker per core. Failures are replies; the chunk buffer is always released. Shards a read finds missing or
/// damaged are logged and reported to the <paramref name="healer"/> (when given) for repair. Each block this worker
/// stores (not a deduplicated one) is passed to <paramref name="stored"/> (when given), from the worker's thread, and
/// its sealed bytes are kept in <paramref name="recent"/> (when given) for peers that fetch it at once.
/// </summary>
public sealed class EncoderActor(Repository repository, IActorRef<IHealerCommand>? healer = null, Action<StoredBlock>? stored = null,
    RecentBlocks? recent = null) : Actor<IEncoderCommand>
{
    private BlockCodec? _codec;
    private CatalogReader? _catalog;

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        _codec = new BlockCodec(repository.Key, repository.Settings.SealOptions, repository.Backends, recent);
        var logger = Context.Logger;
        _codec.DamageFound = damage =>
        {
            logger.LogWarning(
                "shard {Id} (stripe {Stripe} index {Index}) on {Backend} as {Object} is {Reason}",
                damage.Id, damage.StripeId, damage.Index, damage.Backend, damage.ObjectName, damage.Reason);
            healer?.Tell(new RepairShards([damage]));
        };
        _catalog = repository.Catalog.CreateReader();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        _codec?.Dispose();
        _catalog?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask HandleAsync(IEncoderCommand message, CancellationToken cancellationToken)
    {
        var codec = _codec ?? throw new InvalidOperationException("encoder not started");
        switch (message)
        {
            case EncodeChunk encode:
                using (encode.Chunk)
                {
                    ChunkEncoded reply;
                    try
                    {
                        var block = await codec.EncodeAsync(encode.Chunk.Memory, encode.Session, encode.Stripes, _catalog!, cancellationToken).ConfigureAwait(false);
                        if (block.NewBlock is { } written)
                        {
                            stored?.Invoke(written);
                        }

                        reply = new ChunkEncoded(encode.File, encode.Seq, encode.Chunk.Length, block, null);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        reply = new ChunkEncoded(encode.File, encode.Seq, encode.Chunk.Length, null, e);
                    }

                    encode.ReplyTo.Reply(reply);
                }

                break;
            case DecodeBlock decode:
                try
                {
                    var plaintext = await codec.DecodeAsync(decode.Id, _catalog!, cancellationToken).ConfigureAwait(false);
                    decode.ReplyTo.Reply(new BlockDecoded(decode.Seq, decode.Id, plaintext, null));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    decode.ReplyTo.Reply(new BlockDecoded(decode.Seq, decode.Id, null, e));
                }

                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }
    }
}
