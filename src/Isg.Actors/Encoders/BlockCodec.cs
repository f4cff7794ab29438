using System.Buffers;
using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Storage;
using Isg.Actors.Striping;
using Isg.Actors.Swarm;
using Isg.Actors.Transfers;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;
using Isg.Protocol.Sealing;

namespace Isg.Actors.Encoders;

/// <summary>
/// One worker's block work: hash, deduplicate, compress + seal, store (on the backend its stripe slot names);
/// and the way back: fetch from any location, open, verify, and rebuild from the stripe when every copy is
/// missing or damaged. Not thread-safe (it owns a sealer and scratch buffers): one per encoder actor.
/// </summary>
public sealed class BlockCodec : IDisposable
{
    private readonly RepositoryKey _key;
    private readonly BackendSet _backends;
    private readonly BlockSealer _sealer;
    private readonly StripeReader _stripes;
    private readonly RecentBlocks? _recent;

    /// <summary>
    /// A codec sealing with <paramref name="options"/> and storing on <paramref name="backends"/>; each block it stores
    /// is also handed, sealed, to <paramref name="recent"/> when given (for peers that fetch it at once).
    /// </summary>
    public BlockCodec(RepositoryKey key, SealOptions options, BackendSet backends, RecentBlocks? recent = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(backends);
        _key = key;
        _backends = backends;
        _recent = recent;
        _sealer = new BlockSealer(key, options);
        _stripes = new StripeReader(backends, _sealer);
    }

    /// <summary>The backends blocks go to.</summary>
    public BackendSet Backends => _backends;

    /// <summary>The stripe reader this codec rebuilds with (for the healer's replacements).</summary>
    public StripeReader Stripes => _stripes;

    /// <summary>Called for every stored shard found missing or damaged while decoding (from the decoding thread).</summary>
    public Action<ShardDamage>? DamageFound
    {
        get => _stripes.DamageFound;
        set => _stripes.DamageFound = value;
    }

    /// <summary>
    /// Stores <paramref name="plaintext"/> unless an identical block is already known (in <paramref name="catalog"/>
    /// or claimed in <paramref name="session"/>), on the backend <paramref name="stripes"/> assigns. Throws only on
    /// storage failure; the claim and the stripe slot are then released.
    /// </summary>
    public async ValueTask<EncodedBlock> EncodeAsync(ReadOnlyMemory<byte> plaintext, DedupIndex session, StripeAssembler stripes, CatalogReader catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(stripes);
        ArgumentNullException.ThrowIfNull(catalog);
        var id = BlockId.Compute(plaintext.Span);
        if (!session.TryClaim(id, out var existing))
        {
            if (await existing.ConfigureAwait(false))
            {
                return new EncodedBlock(id, plaintext.Length, null);
            }

            // The first writer failed and released the claim: try to be the writer now.
            if (!session.TryClaim(id, out existing))
            {
                return await existing.ConfigureAwait(false)
                    ? new EncodedBlock(id, plaintext.Length, null)
                    : throw new BackendException(BackendFailureKind.Transient, _backends.Primary.Name, $"block {id} could not be stored by another worker", null);
            }
        }

        if (catalog.HasBlock(id))
        {
            session.Complete(id, succeeded: true);
            return new EncodedBlock(id, plaintext.Length, null);
        }

        // Aligned when large, so a store that writes with direct I/O writes it where it lies instead of copying it first.
        var sealedOwner = AlignedBuffer.RentForStore(BlockSealer.MaxSealedLength(plaintext.Length));
        var sealedBuffer = sealedOwner.Memory;
        StripeSlot? slot = null;
        var completed = false;
        try
        {
            var length = _sealer.Seal(id, plaintext.Span, sealedBuffer.Span);
            EnvelopeHeader.TryRead(sealedBuffer.Span[..length], out var header, out _);
            var name = _key.ObjectName(id);
            slot = stripes.Reserve(id, sealedBuffer.Span[..length]);
            await slot.Backend.PutAsync(name, sealedBuffer[..length], cancellationToken).ConfigureAwait(false);
            if (_recent is not null)
            {
                _recent.Keep(id, sealedOwner, length);
                sealedOwner = null;
            }

            var stored = new StoredBlock(id, plaintext.Length, length, (int)header.Compression, slot.Backend.Name, name);

            // Recorded for the job before the stripe can complete, so a sealed stripe finds all its blocks there.
            session.Complete(id, stored);
            completed = true;
            var reported = slot;
            slot = null;
            var stripe = await stripes.ReportAsync(reported, stored: true, cancellationToken).ConfigureAwait(false);
            return new EncodedBlock(id, plaintext.Length, stored, stripe);
        }
        catch
        {
            if (!completed)
            {
                session.Complete(id, succeeded: false);
            }

            if (slot is not null)
            {
                await stripes.ReportAsync(slot, stored: false, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }
        finally
        {
            sealedOwner?.Dispose();
        }
    }

    /// <summary>
    /// Fetches block <paramref name="id"/> from any location <paramref name="catalog"/> records, opens it and checks
    /// that it hashes to its id; when every copy is missing or damaged, rebuilds it from its stripe (reporting the
    /// damage through <see cref="DamageFound"/>). Throws <see cref="DataIntegrityException"/> naming the block (and
    /// its stripe) when it cannot be had.
    /// </summary>
    public async ValueTask<PooledBuffer> DecodeAsync(BlockId id, CatalogReader catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var locations = catalog.GetBlockLocations(id);
        DataIntegrityException? firstFailure = null;
        (long StripeId, int Index)? stripe = null;
        foreach (var location in locations)
        {
            try
            {
                return await DecodeAsync(id, location.Backend, location.ObjectName, cancellationToken).ConfigureAwait(false);
            }
            catch (DataIntegrityException e)
            {
                firstFailure ??= e;
                stripe ??= catalog.GetBlockStripe(id);
                DamageFound?.Invoke(new ShardDamage(id, stripe?.StripeId ?? -1, stripe?.Index ?? -1, location.Backend, location.ObjectName, e.Message));
            }
        }

        stripe ??= catalog.GetBlockStripe(id);
        if (stripe is { } member && catalog.GetStripe(member.StripeId) is { } layout)
        {
            return await _stripes.ReconstructBlockAsync(id, layout, member.Index, cancellationToken).ConfigureAwait(false);
        }

        throw firstFailure ?? new DataIntegrityException($"block {id} is not stored on any backend");
    }

    /// <summary>
    /// Fetches block <paramref name="id"/> stored as <paramref name="objectName"/> on the primary backend, opens it
    /// and checks that it hashes to its id. Throws <see cref="DataIntegrityException"/> when it is missing, corrupt
    /// or tampered with. No stripe fallback: see <see cref="DecodeAsync(BlockId, CatalogReader, CancellationToken)"/>.
    /// </summary>
    public ValueTask<PooledBuffer> DecodeAsync(BlockId id, string objectName, CancellationToken cancellationToken) =>
        DecodeAsync(id, _backends.Primary.Name, objectName, cancellationToken);

    private async ValueTask<PooledBuffer> DecodeAsync(BlockId id, string backendName, string objectName, CancellationToken cancellationToken)
    {
        if (!_backends.TryGet(backendName, out var store))
        {
            throw new DataIntegrityException($"block {id} is on backend {backendName}, which is not configured");
        }

        IMemoryOwner<byte> sealedBlock;
        try
        {
            sealedBlock = await store.GetAsync(objectName, cancellationToken).ConfigureAwait(false);
        }
        catch (BackendException e)
        {
            throw new DataIntegrityException(e.Kind == BackendFailureKind.NotFound
                ? $"block {id} is missing from the {store.Name} store (object {objectName})"
                : $"block {id} cannot be read from the {store.Name} store (object {objectName}): {e.Message}", e);
        }

        using (sealedBlock)
        {
            var span = sealedBlock.Memory.Span;
            if (!BlockSealer.TryReadPlaintextLength(span, out var plainLength, out var error))
            {
                throw Corrupt(id, store.Name, objectName, error);
            }

            var plaintext = PooledBuffer.Rent(plainLength);
            try
            {
                if (_sealer.TryOpen(id, span, plaintext.Memory.Span, out var written, out error) != DecodeStatus.Done || written != plainLength)
                {
                    throw Corrupt(id, store.Name, objectName, error);
                }

                return plaintext;
            }
            catch
            {
                plaintext.Dispose();
                throw;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _sealer.Dispose();

    private static DataIntegrityException Corrupt(BlockId id, string store, string objectName, ProtocolError error) =>
        new($"block {id} in the {store} store (object {objectName}) is damaged: {error}");
}
