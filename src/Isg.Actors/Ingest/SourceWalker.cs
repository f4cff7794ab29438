using Isg.Actors.Catalog;
using Isg.Actors.Storage;

namespace Isg.Actors.Ingest;

/// <summary>
/// Walks the sources of an add: depth first, a directory before its children, names in ordinal order, symlinks
/// recorded (never followed). Sockets, FIFOs and devices are skipped with a reason, and so are entries that
/// cannot be read; the walk goes on.
/// </summary>
public static class SourceWalker
{
    private static readonly EnumerationOptions s_listing = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// Lists everything under <paramref name="sources"/>; <paramref name="onSkipped"/> gets (local path, reason).
    /// <paramref name="excluded"/> (the repository's own folder) and everything below it is left out silently:
    /// a repository must never store itself.
    /// </summary>
    public static List<IngestItem> Walk(IReadOnlyList<IngestSource> sources, Action<string, string> onSkipped, string? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(onSkipped);
        var items = new List<IngestItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<(string Local, string Catalog)>();
        foreach (var source in sources)
        {
            stack.Push((source.LocalPath, source.CatalogPath));
            while (stack.Count > 0)
            {
                var (local, catalog) = stack.Pop();
                if (!seen.Add(catalog) || (excluded is not null && LocalPath.IsAtOrBelow(local, excluded)))
                {
                    continue;
                }

                IngestItem? item;
                try
                {
                    item = Describe(local, catalog);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    onSkipped(local, e.Message);
                    continue;
                }

                if (item is null)
                {
                    onSkipped(local, "not a regular file, directory or symlink (socket, FIFO or device)");
                    continue;
                }

                items.Add(item);
                if (item.Kind == FileKind.Directory)
                {
                    PushChildren(local, catalog, stack, onSkipped);
                }
            }
        }

        return items;
    }

    private static void PushChildren(string local, string catalog, Stack<(string Local, string Catalog)> stack, Action<string, string> onSkipped)
    {
        string[] names;
        try
        {
            names = new DirectoryInfo(local).EnumerateFileSystemInfos("*", s_listing).Select(i => i.Name).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            onSkipped(local, e.Message);
            return;
        }

        // Pushed in reverse ordinal order so the stack pops them in order.
        Array.Sort(names, (a, b) => string.CompareOrdinal(b, a));
        foreach (var name in names)
        {
            stack.Push((Path.Combine(local, name), catalog + "/" + name));
        }
    }

    private static IngestItem? Describe(string local, string catalog)
    {
        var status = NativeFileSystem.GetStatus(local);
        return status.Kind switch
        {
            FileStatusKind.Directory => new IngestItem(local, catalog, FileKind.Directory, 0, status.Mode, status.MtimeUnixNs, null),
            FileStatusKind.Symlink => new IngestItem(local, catalog, FileKind.Symlink, 0, status.Mode, status.MtimeUnixNs,
                new FileInfo(local).LinkTarget ?? string.Empty),
            FileStatusKind.Regular => new IngestItem(local, catalog, FileKind.File, status.Size, status.Mode, status.MtimeUnixNs, null),
            _ => null,
        };
    }
}
