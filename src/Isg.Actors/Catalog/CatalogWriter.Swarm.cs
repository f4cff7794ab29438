using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>Blocks fetched from peers: a wanted block becomes an ordinary stored block.</summary>
public sealed partial class CatalogWriter
{
    private SqliteStatement? _completeWantedBlock;

    /// <summary>
    /// Records that <paramref name="block"/>, fetched from a peer, is now durable at its location: a wanted block's row
    /// takes its sealed size and compression, and the location is added. Call only after the object is durable. Returns
    /// false (and records nothing) when no entry needs the block any more.
    /// </summary>
    public bool RecordFetchedBlock(StoredBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return InTransaction(() =>
        {
            var complete = _completeWantedBlock ??= Prepare("""
                UPDATE blocks SET stored_size = ?2, compression = ?3
                WHERE id = ?1 AND refcount > 0
                """);
            Span<byte> id = stackalloc byte[Hash256.Length];
            block.Id.WriteTo(id);
            complete.Bind(1, id);
            complete.Bind(2, block.StoredSize);
            complete.Bind(3, block.Compression);
            if (complete.Execute() == 0)
            {
                return false;
            }

            InsertBlock(block, _database.NowUnixMilliseconds());
            return true;
        });
    }
}
