using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>Reads for serving blocks to others.</summary>
public sealed partial class CatalogReader
{
    /// <summary>
    /// True when a live entry or snapshot references <paramref name="id"/>: the blocks this node may serve. A block
    /// waiting for garbage collection, or never known, is not served.
    /// </summary>
    public bool IsBlockReferenced(BlockId id) => Run("SELECT 1 FROM blocks WHERE id = $p0 AND refcount > 0", 1, command =>
    {
        SetId(command, 0, id);
        using var reader = command.ExecuteReader();
        return reader.Read();
    });
}
