using Isg.Protocol.Hashing;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Catalog;

/// <summary>The writer's stripe and backend statements.</summary>
public sealed partial class CatalogWriter
{
    private SqliteStatement? _insertStripe;
    private SqliteStatement? _linkStripeBlock;
    private SqliteStatement? _insertParity;
    private SqliteStatement? _deleteStripe;

    /// <summary>
    /// Records a new backend. Throws <see cref="CatalogException"/> (Constraint) when the name is taken.
    /// </summary>
    public void AddBackend(BackendRecord backend) => AddBackend(backend, secretsBox: null);

    private void InsertStripe(SealedStripe stripe, long now)
    {
        _insertStripe ??= Prepare("INSERT INTO stripes (k, m, shard_size, created_at) VALUES (?1, ?2, ?3, ?4)");
        _linkStripeBlock ??= Prepare("UPDATE blocks SET stripe_id = ?1, stripe_index = ?2 WHERE id = ?3 AND stripe_id IS NULL");
        _insertParity ??= Prepare("""
            INSERT INTO chunks (block_id, backend, object_name, stored_at, verified_at, is_parity, stripe_id, shard_index)
            VALUES (?1, ?2, ?3, ?4, NULL, 1, ?5, ?6)
            ON CONFLICT (block_id, backend) DO NOTHING
            """);
        _deleteStripe ??= Prepare("DELETE FROM stripes WHERE id = ?1");

        _insertStripe.Bind(1, stripe.K);
        _insertStripe.Bind(2, stripe.M);
        _insertStripe.Bind(3, stripe.ShardSize);
        _insertStripe.Bind(4, now);
        _insertStripe.Execute();
        var stripeId = SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle);

        Span<byte> id = stackalloc byte[Hash256.Length];
        for (var i = 0; i < stripe.DataBlocks.Count; i++)
        {
            stripe.DataBlocks[i].WriteTo(id);
            _linkStripeBlock.Bind(1, stripeId);
            _linkStripeBlock.Bind(2, i);
            _linkStripeBlock.Bind(3, id);
            if (_linkStripeBlock.Execute() != 1)
            {
                // The trigger unlinks the blocks linked so far.
                _deleteStripe.Bind(1, stripeId);
                _deleteStripe.Execute();
                _database.Options.Logger.LogWarning(
                    "Catalogue {Path}: stripe of {K}+{M} not recorded: block {Block} is not in the catalogue or already in a stripe; its blocks stay unprotected",
                    _path, stripe.K, stripe.M, stripe.DataBlocks[i]);
                return;
            }
        }

        foreach (var parity in stripe.Parity)
        {
            parity.Hash.WriteTo(id);
            _insertParity.Bind(1, id);
            _insertParity.Bind(2, parity.Backend);
            _insertParity.Bind(3, parity.ObjectName);
            _insertParity.Bind(4, now);
            _insertParity.Bind(5, stripeId);
            _insertParity.Bind(6, parity.Index);
            _insertParity.Execute();
        }
    }

    private static void Validate(SealedStripe stripe, int index)
    {
        ArgumentNullException.ThrowIfNull(stripe, $"stripes[{index}]");
        ArgumentNullException.ThrowIfNull(stripe.DataBlocks, $"stripes[{index}].DataBlocks");
        ArgumentNullException.ThrowIfNull(stripe.Parity, $"stripes[{index}].Parity");
        if (stripe.K < 1 || stripe.K > 255 || stripe.M < 0 || stripe.K + stripe.M > 255 || stripe.DataBlocks.Count != stripe.K
            || stripe.Parity.Count != stripe.M || stripe.ShardSize < 0)
        {
            throw new ArgumentException(
                $"stripe {index} is {stripe.K}+{stripe.M} with {stripe.DataBlocks.Count} data blocks and {stripe.Parity.Count} parity shards",
                $"stripes[{index}]");
        }

        for (var i = 0; i < stripe.Parity.Count; i++)
        {
            var parity = stripe.Parity[i];
            if (parity.Index != stripe.K + i)
            {
                throw new ArgumentException($"stripe {index} parity {i} has index {parity.Index}, expected {stripe.K + i}", $"stripes[{index}]");
            }

            ArgumentException.ThrowIfNullOrEmpty(parity.Backend, $"stripes[{index}].Parity[{i}].Backend");
            ArgumentException.ThrowIfNullOrEmpty(parity.ObjectName, $"stripes[{index}].Parity[{i}].ObjectName");
        }
    }
}
