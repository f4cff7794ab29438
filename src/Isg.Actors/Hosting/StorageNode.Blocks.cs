using Isg.Actors.Backends;
using Isg.Actors.Encoders;
using Isg.Actors.Runtime;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Hosting;

/// <summary>Single blocks by id, for peer-served retrieval over HTTP (the IPFS trustless-gateway form).</summary>
public sealed partial class StorageNode
{
    /// <summary>
    /// The plaintext of block <paramref name="id"/>, read, opened and checked against its id (rebuilt from its stripe
    /// when needed), or null when no live entry or snapshot references it (such blocks are not served). Throws
    /// <see cref="Transfers.DataIntegrityException"/> when it is referenced but cannot be had.
    /// </summary>
    public async Task<PooledBuffer?> ReadReferencedBlockAsync(BlockId id, CancellationToken cancellationToken)
    {
        using (var reader = Repository.Catalog.CreateReader())
        {
            if (!reader.IsBlockReferenced(id))
            {
                return null;
            }
        }

        var workers = await GetWorkersAsync(cancellationToken).ConfigureAwait(false);
        var decoded = await workers.Encoders.AskAsync<IEncoderCommand, BlockDecoded>(r => new DecodeBlock(0, id, r), s_askTimeout, cancellationToken)
            .ConfigureAwait(false);
        if (decoded.Failure is not null)
        {
            decoded.Plaintext?.Dispose();
            throw decoded.Failure;
        }

        return decoded.Plaintext;
    }
}
