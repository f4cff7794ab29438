using System.Text.RegularExpressions;
using Isg.Actors.Catalog;
using Isg.Actors.Repositories;

namespace Isg.Actors.Backends;

/// <summary>
/// Adds, lists and removes a repository's backends (the catalogue's backends table). Changes take effect the
/// next time the repository is opened. Failures are <see cref="RepositoryException"/>s of kind BadSetting.
/// </summary>
public static partial class BackendAdministration
{
    /// <summary>
    /// Adds local backend <paramref name="name"/> at <paramref name="path"/> (created when missing). Refuses a taken
    /// name, a path inside the repository or inside (or around) another local backend, and a non-empty folder that
    /// is not already an Isg block store. Returns the recorded backend.
    /// </summary>
    public static BackendRecord AddLocal(Repository repository, string name, string path)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(path);
        if (!ValidName().IsMatch(name ?? string.Empty))
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting,
                $"backend name '{name}' must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        IReadOnlyList<BackendRecord> existing;
        using (var reader = repository.Catalog.CreateReader())
        {
            existing = reader.ListBackends();
        }

        if (existing.Any(b => b.Name == name))
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"a backend named '{name}' exists already");
        }

        if (Storage.LocalPath.IsAtOrBelow(full, repository.Layout.Root) || Storage.LocalPath.IsAtOrBelow(repository.Layout.Root, full))
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"{full} is inside or around the repository {repository.Layout.Root}");
        }

        foreach (var other in existing.Where(b => b.Type == BackendFactory.LocalType))
        {
            var otherPath = BackendFactory.LocalPath(other, repository.Layout.Root);
            if (Storage.LocalPath.IsAtOrBelow(full, otherPath) || Storage.LocalPath.IsAtOrBelow(otherPath, full))
            {
                throw new RepositoryException(RepositoryErrorKind.BadSetting, $"{full} overlaps backend '{other.Name}' at {otherPath}");
            }
        }

        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !IsBlockStore(full))
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"{full} is not empty and not an Isg block store");
        }

        if (File.Exists(full))
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"{full} is a file");
        }

        Directory.CreateDirectory(full);
        var record = new BackendRecord(name!, BackendFactory.LocalType, BackendFactory.LocalSettings(full), DateTimeOffset.UtcNow);
        using var writer = repository.Catalog.CreateWriter();
        writer.AddBackend(record);
        return record;
    }

    /// <summary>Every backend with what the catalogue holds on it, ordered by name.</summary>
    public static IReadOnlyList<(BackendRecord Backend, BackendUsage Usage)> List(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        using var reader = repository.Catalog.CreateReader();
        var usage = reader.GetBackendUsage().ToDictionary(u => u.Backend, StringComparer.Ordinal);
        return reader.ListBackends()
            .Select(b => (b, usage.GetValueOrDefault(b.Name) ?? new BackendUsage(b.Name, 0, 0)))
            .ToList();
    }

    /// <summary>
    /// Forgets backend <paramref name="name"/> (its folder is left as it is). Refuses while the catalogue has any
    /// chunk on it, saying how many.
    /// </summary>
    public static void Remove(Repository repository, string name)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(name);
        using (var reader = repository.Catalog.CreateReader())
        {
            if (reader.ListBackends().All(b => b.Name != name))
            {
                throw new RepositoryException(RepositoryErrorKind.BadSetting, $"no backend named '{name}'");
            }
        }

        using var writer = repository.Catalog.CreateWriter();
        var chunks = writer.RemoveBackend(name);
        if (chunks > 0)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting,
                $"backend '{name}' still holds {chunks} chunks; move them off first (not supported yet)");
        }
    }

    // What a LocalBlockStore writes: "tmp" and two-hex-digit prefix folders, nothing else.
    private static bool IsBlockStore(string path) =>
        Directory.EnumerateFileSystemEntries(path).All(e =>
            Directory.Exists(e) && Path.GetFileName(e) is var n && (n == "tmp" || (n.Length == 2 && n.All(char.IsAsciiHexDigitLower))));

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex ValidName();
}
