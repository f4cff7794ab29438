using Isg.Actors.Catalog;

namespace Isg.Actors.Restore;

/// <summary>
/// Where a restore reads entries and block lists: the live catalogue or a snapshot. Not thread-safe; owns its
/// catalogue readers until disposed. Calls see the state the source was opened on only as far as the catalogue
/// reader guarantees (a snapshot never changes).
/// </summary>
public interface IRestoreSource : IDisposable
{
    /// <summary>The entry at exactly <paramref name="path"/>, or null.</summary>
    FileEntry? GetEntry(string path);

    /// <summary>The entries at and below <paramref name="prefix"/> in path order ("" is everything).</summary>
    IEnumerable<FileEntry> ListEntries(string prefix);

    /// <summary>The blocks of <paramref name="entry"/> (one this source listed) in order; empty for non-files.</summary>
    IEnumerable<FileBlock> GetBlocks(FileEntry entry);
}
