namespace Isg.Actors.Catalog;

/// <summary>
/// Catalogue totals: entries by kind, bytes of file content as listed (<paramref name="LogicalBytes"/>), distinct
/// blocks the live files reference and their plaintext and sealed sizes.
/// </summary>
public sealed record CatalogStats(
    long Files,
    long Directories,
    long LogicalBytes,
    long UniqueBlocks,
    long UniquePlainBytes,
    long StoredBytes)
{
    /// <summary>Logical bytes per unique plaintext byte (1 without sharing); 1 for an empty catalogue.</summary>
    public double DedupRatio => UniquePlainBytes == 0 ? 1.0 : (double)LogicalBytes / UniquePlainBytes;

    /// <summary>Unique plaintext bytes per stored (sealed) byte (above 1 when compression pays); 1 when nothing is stored.</summary>
    public double CompressionRatio => StoredBytes == 0 ? 1.0 : (double)UniquePlainBytes / StoredBytes;
}
