namespace Isg.Actors.Catalog;

/// <summary>What <see cref="CatalogDatabase.IntegrityCheck"/> found wrong.</summary>
public enum CatalogProblemKind
{
    /// <summary>SQLite's own <c>PRAGMA integrity_check</c> reported damage.</summary>
    Storage,

    /// <summary>A row names a parent that does not exist (<c>PRAGMA foreign_key_check</c>).</summary>
    ForeignKey,

    /// <summary>A block's refcount differs from the number of file_blocks and snapshot_blocks rows naming it.</summary>
    RefcountMismatch,

    /// <summary>A file names a block the catalogue does not hold.</summary>
    MissingBlock,

    /// <summary>A file's block_count differs from its number of blocks.</summary>
    BlockCountMismatch,

    /// <summary>A file's blocks are not numbered 0..n-1, do not tile the file, or do not add up to its size.</summary>
    LayoutMismatch,

    /// <summary>A referenced block has no stored location on any backend.</summary>
    UnstoredBlock,

    /// <summary>A file has no manifest row.</summary>
    MissingManifest,

    /// <summary>
    /// A stripe does not hold k data blocks (indexes 0..k-1) and m parity chunks (indexes k..k+m-1), or a data
    /// shard is larger than its stripe's shard size.
    /// </summary>
    StripeMismatch,

    /// <summary>A block's chunk_count differs from the number of chunks rows naming it (so the wanted list would be wrong).</summary>
    ChunkCountMismatch,

    /// <summary>
    /// A file's stored leaf hash (files.leaf_hash) is not the tree hash of its entry: the catalogue's root would then
    /// differ from its peers' over identical entries. A repair pass rewrites it (<see cref="CatalogWriter.RewriteLeafHashes"/>).
    /// </summary>
    LeafHashMismatch,
}
