using Isg.Actors.Catalog;

namespace Isg.Actors.Restore;

/// <summary>The live catalogue as a restore source: entries from files, blocks from file_blocks.</summary>
public sealed class CatalogRestoreSource(CatalogDatabase catalog) : IRestoreSource
{
    // Two readers, so the block list of an entry can be read while the listing is still streaming.
    private readonly CatalogReader _listing = catalog.CreateReader();
    private readonly CatalogReader _blocks = catalog.CreateReader();

    /// <inheritdoc />
    public FileEntry? GetEntry(string path) => _listing.GetFile(path);

    /// <inheritdoc />
    public IEnumerable<FileEntry> ListEntries(string prefix) => _listing.ListFiles(prefix);

    /// <inheritdoc />
    public IEnumerable<FileBlock> GetBlocks(FileEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _blocks.GetFileBlocks(entry.Id);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _listing.Dispose();
        _blocks.Dispose();
    }
}
