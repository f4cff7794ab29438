using System.Text;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// Builds a file tree deterministically from a seed (names, sizes, contents, modes and nanosecond mtimes), and compares
/// trees bit-exactly: every entry's type, permission bits, size, mtime to the nanosecond, symlink target and bytes.
/// Call <see cref="Seal"/> after the last change: it sets the directories' modes and mtimes, deepest first.
/// </summary>
public sealed class TestTree
{
    private static readonly int[] s_fileModes = [0b110_100_100, 0b110_000_000, 0b111_101_101, 0b110_100_000, 0b100_100_100, 0b111_000_000];
    private static readonly int[] s_directoryModes = [0b111_101_101, 0b111_000_000, 0b111_101_000];
    private readonly Random _random;
    private readonly Dictionary<string, (int Mode, long MtimeNs)> _directories = new(StringComparer.Ordinal);

    /// <summary>Creates the (empty) root folder <paramref name="root"/>.</summary>
    public TestTree(string root, int seed)
    {
        Root = Path.GetFullPath(root);
        Seed = seed;
        _random = new Random(seed);
        Directory.CreateDirectory(Root);
        _directories[string.Empty] = (NextDirectoryMode(), NextMtime());
    }

    /// <summary>The tree's root folder.</summary>
    public string Root { get; }

    /// <summary>The seed everything derives from.</summary>
    public int Seed { get; }

    /// <summary>Files written so far: relative path and size.</summary>
    public List<(string Path, long Size)> Files { get; } = [];

    /// <summary>The full path of <paramref name="relative"/>, which must stay inside the tree.</summary>
    public string PathOf(string relative)
    {
        var full = Path.GetFullPath(Path.Combine(Root, relative));
        if (Path.IsPathRooted(relative) || !(full == Root || full.StartsWith(Root + "/", StringComparison.Ordinal)))
        {
            throw new ArgumentException($"'{relative}' is not a path inside the tree", nameof(relative));
        }

        return full;
    }

    /// <summary>Writes a file of <paramref name="size"/> bytes with a random mode and mtime unless given; creates parents.</summary>
    public string AddFile(string relative, long size, ContentKind kind = ContentKind.Random, int? mode = null, long? mtimeNs = null)
    {
        var full = PathOf(relative);
        EnsureParents(relative);
        TestContent.Write(full, size, (ulong)_random.NextInt64(), kind);
        File.SetUnixFileMode(full, (UnixFileMode)(mode ?? s_fileModes[_random.Next(s_fileModes.Length)]));
        Posix.SetMtime(full, mtimeNs ?? NextMtime());
        Files.Add((relative, size));
        return full;
    }

    /// <summary>
    /// Copies a file (same bytes) to <paramref name="relative"/> with its own mode and mtime; <paramref name="from"/> is
    /// relative to this tree, or absolute.
    /// </summary>
    public string CopyFile(string from, string relative)
    {
        var full = PathOf(relative);
        EnsureParents(relative);
        File.Copy(Path.IsPathRooted(from) ? from : PathOf(from), full);
        File.SetUnixFileMode(full, (UnixFileMode)s_fileModes[_random.Next(s_fileModes.Length)]);
        Posix.SetMtime(full, NextMtime());
        Files.Add((relative, new FileInfo(full).Length));
        return full;
    }

    /// <summary>Creates a directory (and its parents) whose mode and mtime <see cref="Seal"/> sets.</summary>
    public string AddDirectory(string relative, int? mode = null)
    {
        EnsureParents(relative + "/x");
        if (mode is { } given)
        {
            _directories[relative] = (given, _directories[relative].MtimeNs);
        }

        return PathOf(relative);
    }

    /// <summary>Creates a symlink to <paramref name="target"/> (not required to exist) with a random mtime.</summary>
    public string AddSymlink(string relative, string target)
    {
        var full = PathOf(relative);
        EnsureParents(relative);
        File.CreateSymbolicLink(full, target);
        Posix.SetMtime(full, NextMtime());
        return full;
    }

    /// <summary>
    /// Writes <paramref name="count"/> files of 0..<paramref name="maxSize"/> bytes (random or text) spread over nested
    /// directories up to <paramref name="maxDepth"/> deep below <paramref name="relative"/>.
    /// </summary>
    public void AddManyFiles(string relative, int count, int maxDepth, int maxSize)
    {
        var directories = new List<string> { relative };
        for (var i = 0; i < count; i++)
        {
            if (directories.Count < 2 + (count / 12) && _random.Next(4) == 0)
            {
                var parent = directories[_random.Next(directories.Count)];
                if (parent.Count(c => c == '/') - relative.Count(c => c == '/') < maxDepth)
                {
                    directories.Add(Join(parent, $"d{directories.Count:D3}"));
                }
            }

            var folder = directories[_random.Next(directories.Count)];
            var size = _random.Next(8) == 0 ? 0 : _random.Next(maxSize + 1);
            AddFile(Join(folder, $"f{i:D5}.{(i % 3 == 0 ? "txt" : "bin")}"), size, i % 3 == 0 ? ContentKind.Text : ContentKind.Random);
        }
    }

    /// <summary>Sets every directory's mode and mtime, deepest first (creating entries in a directory changes its mtime).</summary>
    public TestTree Seal()
    {
        foreach (var (relative, (mode, mtime)) in _directories.OrderByDescending(d => d.Key.Length))
        {
            var full = relative.Length == 0 ? Root : PathOf(relative);
            File.SetUnixFileMode(full, (UnixFileMode)mode);
            Posix.SetMtime(full, mtime);
        }

        return this;
    }

    /// <summary>Every entry under <paramref name="root"/> (the root itself as ""), sorted by path, symlinks not followed.</summary>
    public static List<TreeEntry> Snapshot(string root)
    {
        var entries = new List<TreeEntry> { TreeEntry.Read(root, string.Empty) };
        var pending = new Stack<(string Full, string Relative)>();
        pending.Push((root, string.Empty));
        while (pending.TryPop(out var directory))
        {
            foreach (var full in Directory.EnumerateFileSystemEntries(directory.Full))
            {
                var name = Path.GetFileName(full);
                var relative = directory.Relative.Length == 0 ? name : directory.Relative + "/" + name;
                var entry = TreeEntry.Read(full, relative);
                entries.Add(entry);
                if (entry.Type == PosixStat.Directory)
                {
                    pending.Push((full, relative));
                }
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return entries;
    }

    /// <summary>
    /// Asserts that <paramref name="actualRoot"/> holds exactly what <paramref name="expectedRoot"/> holds: the same
    /// entries with the same type, mode, size, mtime (ns), link target and bytes. With <paramref name="compareRoot"/>
    /// false the roots' own mode and mtime are not compared.
    /// </summary>
    public static void AssertSame(string expectedRoot, string actualRoot, bool compareRoot = true)
    {
        var expected = Snapshot(expectedRoot);
        var actual = Snapshot(actualRoot);
        if (!compareRoot)
        {
            expected.RemoveAt(0);
            actual.RemoveAt(0);
        }

        var problems = new StringBuilder();
        var byPath = actual.ToDictionary(e => e.Path, StringComparer.Ordinal);
        foreach (var want in expected)
        {
            if (!byPath.Remove(want.Path, out var got))
            {
                problems.AppendLine($"missing: {want}");
                continue;
            }

            Describe(want, got, Path.Combine(expectedRoot, want.Path), Path.Combine(actualRoot, got.Path), problems);
        }

        foreach (var extra in byPath.Values)
        {
            problems.AppendLine($"unexpected: {extra}");
        }

        Fail(problems, $"{actualRoot} differs from {expectedRoot}");
    }

    /// <summary>Asserts that the entry at <paramref name="actual"/> equals the one at <paramref name="expected"/> (metadata and bytes).</summary>
    public static void AssertSameEntry(string expected, string actual)
    {
        var problems = new StringBuilder();
        Describe(TreeEntry.Read(expected, expected), TreeEntry.Read(actual, expected), expected, actual, problems);
        Fail(problems, $"{actual} differs from {expected}");
    }

    /// <summary>Appends to <paramref name="problems"/> how <paramref name="got"/> differs from <paramref name="want"/>.</summary>
    public static void Describe(TreeEntry want, TreeEntry got, string wantFull, string gotFull, StringBuilder problems)
    {
        ArgumentNullException.ThrowIfNull(want);
        ArgumentNullException.ThrowIfNull(got);
        ArgumentNullException.ThrowIfNull(problems);
        if (want with { Path = got.Path } != got)
        {
            problems.AppendLine($"metadata: expected {want}, got {got}");
        }
        else if (want.Type == PosixStat.Regular && TestContent.Compare(wantFull, gotFull) is { } difference)
        {
            problems.AppendLine($"content of '{want.Path}': {difference}");
        }
    }

    private static void Fail(StringBuilder problems, string title)
    {
        if (problems.Length > 0)
        {
            var lines = problems.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            throw new Xunit.Sdk.XunitException($"{title}: {lines.Length} problems\n{string.Join('\n', lines.Take(40))}");
        }
    }

    private static string Join(string folder, string name) => folder.Length == 0 ? name : folder + "/" + name;

    private void EnsureParents(string relative)
    {
        var slash = relative.LastIndexOf('/');
        if (slash < 0)
        {
            return;
        }

        var parent = relative[..slash];
        if (_directories.ContainsKey(parent))
        {
            return;
        }

        EnsureParents(parent);
        Directory.CreateDirectory(PathOf(parent));
        _directories[parent] = (NextDirectoryMode(), NextMtime());
    }

    private int NextDirectoryMode() => s_directoryModes[_random.Next(s_directoryModes.Length)];

    // 2000-01-01 .. 2030-01-01 with a random nanosecond part, so a round trip through 100 ns ticks would show.
    private long NextMtime() => (_random.NextInt64(946_684_800L, 1_893_456_000L) * 1_000_000_000L) + _random.Next(1_000_000_000);
}
