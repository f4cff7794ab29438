using System.Buffers;
using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Transfers;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;
using Isg.Protocol.Sealing;

namespace Isg.Actors.Encoders;

/// <summary>
/// One worker's block work: hash, deduplicate, compress + seal, store; and the way back: fetch, open, verify.
/// Not thread-safe (it owns a sealer and scratch buffers): one per encoder actor.
/// </summary>
public sealed class BlockCodec(RepositoryKey key, SealOptions options, IStorageBackend store) : IDisposable
{
    private readonly BlockSealer _sealer = new(key, options);

    /// <summary>The store blocks go to.</summary>
    public IStorageBackend Store => store;

    /// <summary>
    /// Stores <paramref name="plaintext"/> unless an identical block is already known (in <paramref name="catalog"/>
    /// or claimed in <paramref name="session"/>). Throws only on storage failure; the claim is then released.
    /// </summary>
    public async ValueTask<EncodedBlock> EncodeAsync(ReadOnlyMemory<byte> plaintext, DedupIndex session, CatalogReader catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
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
                    : throw new BackendException(BackendFailureKind.Transient, store.Name, $"block {id} could not be stored by another worker", null);
            }
        }

        if (catalog.HasBlock(id))
        {
            session.Complete(id, succeeded: true);
            return new EncodedBlock(id, plaintext.Length, null);
        }

        var sealedBuffer = ArrayPool<byte>.Shared.Rent(BlockSealer.MaxSealedLength(plaintext.Length));
        try
        {
            var length = _sealer.Seal(id, plaintext.Span, sealedBuffer);
            EnvelopeHeader.TryRead(sealedBuffer.AsSpan(0, length), out var header, out _);
            var name = key.ObjectName(id);
            await store.PutAsync(name, sealedBuffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            var stored = new StoredBlock(id, plaintext.Length, length, (int)header.Compression, store.Name, name);
            session.Complete(id, stored);
            return new EncodedBlock(id, plaintext.Length, stored);
        }
        catch
        {
            session.Complete(id, succeeded: false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedBuffer);
        }
    }

    /// <summary>
    /// Fetches block <paramref name="id"/> stored as <paramref name="objectName"/>, opens it and checks that it
    /// hashes to its id. Throws <see cref="DataIntegrityException"/> when it is missing, corrupt or tampered with.
    /// </summary>
    public async ValueTask<PooledBuffer> DecodeAsync(BlockId id, string objectName, CancellationToken cancellationToken)
    {
        IMemoryOwner<byte> sealedBlock;
        try
        {
            sealedBlock = await store.GetAsync(objectName, cancellationToken).ConfigureAwait(false);
        }
        catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound)
        {
            throw new DataIntegrityException($"block {id} is missing from the {store.Name} store (object {objectName})", e);
        }

        using (sealedBlock)
        {
            var span = sealedBlock.Memory.Span;
            if (!BlockSealer.TryReadPlaintextLength(span, out var plainLength, out var error))
            {
                throw Corrupt(id, objectName, error);
            }

            var plaintext = PooledBuffer.Rent(plainLength);
            try
            {
                if (_sealer.TryOpen(id, span, plaintext.Memory.Span, out var written, out error) != DecodeStatus.Done || written != plainLength)
                {
                    throw Corrupt(id, objectName, error);
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

    private DataIntegrityException Corrupt(BlockId id, string objectName, ProtocolError error) =>
        new($"block {id} in the {store.Name} store (object {objectName}) is damaged: {error}");
}
