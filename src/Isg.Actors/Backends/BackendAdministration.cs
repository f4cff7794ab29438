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
    private const long MinPackSize = 1L << 20;
    private const long MaxPackSize = 1L << 30;

    /// <summary>
    /// Adds local backend <paramref name="name"/> at <paramref name="path"/> (created when missing). Refuses a taken
    /// name, a path inside the repository or inside (or around) another local backend, and a non-empty folder that
    /// is not already an Isg block store. Returns the recorded backend.
    /// </summary>
    public static BackendRecord AddLocal(Repository repository, string name, string path) =>
        Add(repository, name, path, BackendFactory.LocalType, BackendFactory.LocalSettings, IsBlockStore, "an Isg block store");

    /// <summary>
    /// Adds video backend <paramref name="name"/>: objects packed into ISGv2 videos (profile <paramref name="profile"/>,
    /// packs of <paramref name="packSize"/> bytes) in the folder <paramref name="path"/>, refused as
    /// <see cref="AddLocal"/> refuses, and for an unknown profile or a pack size outside 1 MiB..1 GiB.
    /// </summary>
    public static BackendRecord AddVideo(Repository repository, string name, string path, string profile, long packSize)
    {
        ArgumentNullException.ThrowIfNull(profile);
        string profileName;
        try
        {
            profileName = Isg.Actors.Video.VideoProfiles.Get(profile).Name;
        }
        catch (ArgumentException e)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, e.Message);
        }

        if (packSize is < MinPackSize or > MaxPackSize)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"--pack-size must be {MinPackSize}..{MaxPackSize} bytes, got {packSize}");
        }

        return Add(repository, name, path, BackendFactory.VideoType, full => BackendFactory.VideoSettings(full, profileName, packSize),
            IsVideoStore, "an Isg video store");
    }

    private static BackendRecord Add(
        Repository repository, string name, string path, string type, Func<string, string> settings, Func<string, bool> isOurs, string what,
        IReadOnlyDictionary<string, string>? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(path);
        CheckName(name);

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

        foreach (var other in existing.Where(b => b.Type is BackendFactory.LocalType or BackendFactory.VideoType or BackendFactory.TestRemoteType))
        {
            var otherPath = BackendFactory.LocalPath(other, repository.Layout.Root);
            if (Storage.LocalPath.IsAtOrBelow(full, otherPath) || Storage.LocalPath.IsAtOrBelow(otherPath, full))
            {
                throw new RepositoryException(RepositoryErrorKind.BadSetting, $"{full} overlaps backend '{other.Name}' at {otherPath}");
            }
        }

        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !isOurs(full))
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"{full} is not empty and not {what}");
        }

        if (File.Exists(full))
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"{full} is a file");
        }

        Directory.CreateDirectory(full);
        var record = new BackendRecord(name!, type, settings(full), DateTimeOffset.UtcNow) { Secrets = secrets ?? Secrets.BackendSecrets.None };
        using var writer = repository.Catalog.CreateWriter();
        writer.AddBackend(record, Secrets.BackendSecrets.Seal(repository.Key, record.Name, record.Secrets));
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
    /// Every backend as <see cref="List"/> gives it, with its health and persisted status (from its state directory, as
    /// the processes that used it left it) and its quota (from the opened backend's own ledger). No request is made.
    /// </summary>
    public static IReadOnlyList<BackendOverview> Overview(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return List(repository).Select(entry =>
        {
            var record = entry.Backend;
            if (BackendFactory.IsLocalType(record.Type))
            {
                var folder = BackendFactory.LocalPath(record, repository.Layout.Root);
                return new BackendOverview(record, entry.Usage, Directory.Exists(folder) ? "ok" : "missing", null, null);
            }

            var status = Resilience.BackendStatusFile.Read(BackendFactory.StatusPath(repository.Layout.Root, record.Name));
            BackendQuotaState? quota = null;
            if (repository.Backends.TryGet(record.Name, out var opened))
            {
                quota = (Resilience.BackendDecorator.Platform(opened) as IQuotaReporter)?.QuotaState();
            }

            return new BackendOverview(record, entry.Usage, status?.Health ?? "unused", status, quota);
        }).ToList();
    }

    // What a LocalBlockStore writes: its index (with SQLite's WAL files), "tmp", "packs" and, from earlier versions,
    // two-hex-digit prefix folders; nothing else.
    private static bool IsBlockStore(string path) =>
        Directory.EnumerateFileSystemEntries(path).All(e => Path.GetFileName(e) is var n && (Directory.Exists(e)
            ? n is "tmp" or Local.LocalBlockStore.PacksDirectoryName || (n.Length == 2 && n.All(char.IsAsciiHexDigitLower))
            : n.StartsWith(Local.ObjectIndex.FileName, StringComparison.Ordinal)));

    // What a VideoPackingBackend writes: its four folders, nothing else.
    private static bool IsVideoStore(string path) =>
        Directory.EnumerateFileSystemEntries(path).All(e =>
            Directory.Exists(e) && Path.GetFileName(e) is "spool" or "videos" or "cache" or "work");

    private static void CheckName(string? name)
    {
        if (!ValidName().IsMatch(name ?? string.Empty))
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting,
                $"backend name '{name}' must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex ValidName();
}
