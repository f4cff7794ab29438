using Isg.Actors.Catalog;

namespace Isg.Actors.Snapshots;

/// <summary>Compares catalogue states: two snapshots, or a snapshot and the live catalogue.</summary>
public static class SnapshotDiffer
{
    /// <summary>
    /// Compares snapshot <paramref name="from"/> with <paramref name="to"/> (null: the live catalogue), reading
    /// both inside one read transaction so the live side is one consistent state.
    /// </summary>
    public static SnapshotDiff Diff(CatalogDatabase catalog, SnapshotInfo from, SnapshotInfo? to)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(from);
        using var reader = catalog.CreateReader();
        using var consistent = reader.BeginSnapshot();
        var after = to is null ? reader.ListFiles(string.Empty) : reader.ListSnapshotFiles(to.Id, string.Empty);
        var changes = Compare(reader.ListSnapshotFiles(from.Id, string.Empty), after);
        return new SnapshotDiff(from, to, changes, reader.CompareBlocks(from.Id, to?.Id));
    }

    /// <summary>
    /// The changes from <paramref name="before"/> to <paramref name="after"/>, both sorted by path in UTF-8 byte
    /// order (as the catalogue lists them). An entry is modified when its kind, size, mode, mtime, link target or
    /// content root differ; ids and added times are ignored.
    /// </summary>
    public static IReadOnlyList<EntryChange> Compare(IEnumerable<FileEntry> before, IEnumerable<FileEntry> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = new List<EntryChange>();
        using var a = before.GetEnumerator();
        using var b = after.GetEnumerator();
        var hasA = a.MoveNext();
        var hasB = b.MoveNext();
        while (hasA || hasB)
        {
            var order = !hasA ? 1 : !hasB ? -1 : CompareUtf8(a.Current.Path, b.Current.Path);
            if (order < 0)
            {
                changes.Add(new EntryChange(EntryChangeKind.Removed, a.Current.Path, a.Current, null));
                hasA = a.MoveNext();
            }
            else if (order > 0)
            {
                changes.Add(new EntryChange(EntryChangeKind.Added, b.Current.Path, null, b.Current));
                hasB = b.MoveNext();
            }
            else
            {
                if (!SameVersion(a.Current, b.Current))
                {
                    changes.Add(new EntryChange(EntryChangeKind.Modified, a.Current.Path, a.Current, b.Current));
                }

                hasA = a.MoveNext();
                hasB = b.MoveNext();
            }
        }

        return changes;
    }

    private static bool SameVersion(FileEntry x, FileEntry y) =>
        x.Kind == y.Kind && x.Size == y.Size && x.Mode == y.Mode && x.MtimeUnixNs == y.MtimeUnixNs &&
        string.Equals(x.LinkTarget, y.LinkTarget, StringComparison.Ordinal) && x.MerkleRoot == y.MerkleRoot;

    // Code point order (= UTF-8 byte order). UTF-16 ordinal order differs only where a surrogate meets a code
    // unit in U+E000..U+FFFF: surrogates encode code points above U+FFFF, so they must sort after those.
    private static int CompareUtf8(string x, string y)
    {
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            int cx = x[i];
            int cy = y[i];
            if (cx != cy)
            {
                return Rank(cx) - Rank(cy);
            }
        }

        return x.Length - y.Length;
    }

    private static int Rank(int c) => c >= 0xD800 ? (c <= 0xDFFF ? c + 0x2000 : c - 0x800) : c;
}
