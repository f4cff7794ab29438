using System.Globalization;
using Isg.Actors.Catalog;
using Isg.Actors.Snapshots;

namespace Isg.Node.Json;

/// <summary>The JSON shapes of catalogue data, shared by the CLI's --json output and the HTTP API.</summary>
public static class CatalogJson
{
    /// <summary>One catalogue entry.</summary>
    public static object File(FileEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new
        {
            path = entry.Path,
            kind = entry.Kind.ToString().ToLowerInvariant(),
            size = entry.Size,
            mode = Convert.ToString(entry.Mode, 8),
            mtime = DateTimeOffset.UnixEpoch.AddTicks(entry.MtimeUnixNs / 100).ToString("O", CultureInfo.InvariantCulture),
            mtimeNs = entry.MtimeUnixNs,
            blocks = entry.BlockCount,
            merkleRoot = entry.MerkleRoot.ToHex(),
            linkTarget = entry.LinkTarget,
        };
    }

    /// <summary>Repository statistics.</summary>
    public static object Stats(CatalogStats stats, StorageUse use, string repositoryId)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(use);
        return new
        {
            repository = repositoryId,
            files = stats.Files,
            directories = stats.Directories,
            logicalBytes = stats.LogicalBytes,
            uniqueBlocks = stats.UniqueBlocks,
            uniquePlainBytes = stats.UniquePlainBytes,
            storedBytes = stats.StoredBytes,
            dedupRatio = Math.Round(stats.DedupRatio, 4),
            compressionRatio = Math.Round(stats.CompressionRatio, 4),
            stripes = use.Stripes,
            parityShards = use.ParityShards,
            parityBytes = use.ParityBytes,
            unprotectedBlocks = use.UnprotectedBlocks,
            snapshotOnlyBlocks = use.SnapshotOnlyBlocks,
            snapshotOnlyBytes = use.SnapshotOnlyBytes,
            reclaimableBlocks = use.ReclaimableBlocks,
            reclaimableBytes = use.ReclaimableBytes,
        };
    }

    /// <summary>One snapshot.</summary>
    public static object Snapshot(SnapshotInfo snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new
        {
            id = snapshot.Id,
            name = snapshot.Name,
            parent = snapshot.Parent,
            created = snapshot.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            files = snapshot.FileCount,
            size = snapshot.TotalSize,
            blocks = snapshot.BlockCount,
            root = snapshot.Root.ToHex(),
        };
    }

    /// <summary>The changes between two catalogue states.</summary>
    public static object Diff(SnapshotDiff diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        return new
        {
            from = diff.From.Name,
            to = diff.To?.Name,
            added = diff.Changes.Where(c => c.Kind == EntryChangeKind.Added).Select(c => c.Path).ToList(),
            removed = diff.Changes.Where(c => c.Kind == EntryChangeKind.Removed).Select(c => c.Path).ToList(),
            modified = diff.Changes.Where(c => c.Kind == EntryChangeKind.Modified).Select(c => c.Path).ToList(),
            blocksAdded = diff.Blocks.BlocksAdded,
            bytesAdded = diff.Blocks.BytesAdded,
            blocksRemoved = diff.Blocks.BlocksRemoved,
            bytesRemoved = diff.Blocks.BytesRemoved,
        };
    }
}
