using Isg.Actors.Catalog;
using Isg.Actors.Transfers;
using Isg.Protocol.Errors;
using Isg.Protocol.Manifests;

namespace Isg.Actors.Restore;

/// <summary>
/// A snapshot as a restore source: entries from snapshot_files, blocks from each entry's stored manifest.
/// A manifest that does not decode, or whose root or size disagree with the entry, is reported as
/// <see cref="DataIntegrityException"/> (the catalogue copy is damaged).
/// </summary>
public sealed class SnapshotRestoreSource(CatalogDatabase catalog, long snapshotId) : IRestoreSource
{
    private readonly CatalogReader _listing = catalog.CreateReader();
    private readonly CatalogReader _manifests = catalog.CreateReader();

    /// <inheritdoc />
    public FileEntry? GetEntry(string path) => _listing.GetSnapshotFile(snapshotId, path);

    /// <inheritdoc />
    public IEnumerable<FileEntry> ListEntries(string prefix) => _listing.ListSnapshotFiles(snapshotId, prefix);

    /// <inheritdoc />
    public IEnumerable<FileBlock> GetBlocks(FileEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Kind != FileKind.File || entry.BlockCount == 0)
        {
            return [];
        }

        var bytes = _manifests.GetSnapshotManifest(snapshotId, entry.Path)
            ?? throw new DataIntegrityException($"{entry.Path}: the snapshot holds no manifest for it");
        if (Manifest.TryDecode(bytes, out var manifest, out _, out var error) != DecodeStatus.Done || manifest is null)
        {
            throw new DataIntegrityException($"{entry.Path}: the snapshot's manifest does not decode: {error.Message}");
        }

        if (manifest.MerkleRoot != entry.MerkleRoot || manifest.Size != entry.Size || manifest.Blocks.Count != entry.BlockCount)
        {
            throw new DataIntegrityException($"{entry.Path}: the snapshot's manifest does not match its entry");
        }

        var blocks = new FileBlock[manifest.Blocks.Count];
        long offset = 0;
        for (var i = 0; i < blocks.Length; i++)
        {
            var block = manifest.Blocks[i];
            blocks[i] = new FileBlock(i, block.Id, offset, block.Length);
            offset += block.Length;
        }

        return blocks;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _listing.Dispose();
        _manifests.Dispose();
    }
}
