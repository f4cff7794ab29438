using System.Security.Cryptography;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Catalog;
using Isg.Actors.Peers.Identity;
using Isg.Actors.Storage;
using Isg.Protocol.Chunking;
using Isg.Protocol.Errors;
using Isg.Protocol.Keys;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Repositories;

/// <summary>
/// An opened repository: its unwrapped key, catalogue, local block store and settings. Created by
/// <see cref="Initialize"/> (atomically: the marker file is written last), <see cref="Join"/> (another device of an
/// existing repository) or <see cref="Open"/>.
/// </summary>
public sealed class Repository : IDisposable
{
    private const UnixFileMode MarkerMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private Repository(RepositoryLayout layout, RepositoryMarker marker, RepositoryKey key, CatalogDatabase catalog, BackendSet backends)
    {
        Layout = layout;
        Id = marker.Id;
        Key = key;
        Catalog = catalog;
        Backends = backends;
        Settings = new RepositorySettings(catalog);
    }

    /// <summary>Where the parts live.</summary>
    public RepositoryLayout Layout { get; }

    /// <summary>The repository's random id (not secret).</summary>
    public string Id { get; }

    /// <summary>The unwrapped repository key.</summary>
    public RepositoryKey Key { get; }

    /// <summary>The catalogue database.</summary>
    public CatalogDatabase Catalog { get; }

    /// <summary>The configured backends sealed blocks and parity shards go to (the built-in "local" one is the blocks folder).</summary>
    public BackendSet Backends { get; }

    /// <summary>Tunable settings.</summary>
    public RepositorySettings Settings { get; }

    /// <summary>True when <paramref name="root"/> holds a complete repository (its marker exists).</summary>
    public static bool Exists(string root) => File.Exists(new RepositoryLayout(root).MarkerFile);

    /// <summary>The chunker for this repository: its settings and its secret gear table.</summary>
    public IChunker CreateChunker() => new FastCdcChunker(Settings.ChunkerOptions, GearTable.FromSeed(Key.ChunkerSeed));

    /// <summary>
    /// Creates a repository at <paramref name="root"/> (absent or an empty folder): a random key wrapped under
    /// <paramref name="passphrase"/>, an empty catalogue, the block store, then the marker.
    /// </summary>
    public static Repository Initialize(string root, ReadOnlySpan<byte> passphrase, RepositoryInitOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var layout = new RepositoryLayout(root);
        if (Exists(root))
        {
            throw new RepositoryException(RepositoryErrorKind.AlreadyExists, $"{layout.Root} already holds an Isg repository");
        }

        PrepareEmptyRoot(layout);
        options.Kdf.Validate();
        Directory.CreateDirectory(layout.Root);
        Directory.CreateDirectory(layout.KeysDirectory);
        Directory.CreateDirectory(layout.BlocksDirectory);
        var key = RepositoryKey.Generate();
        CatalogDatabase? catalog = null;
        BackendSet? store = null;
        try
        {
            var keyName = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            AtomicFile.WriteAllBytes(Path.Combine(layout.KeysDirectory, keyName + ".key"), KeyFile.Wrap(key, passphrase, options.Kdf));
            // Before the catalogue, so its device id is known from the first write on.
            catalog = CatalogDatabase.Open(layout.Root, CatalogOptions(layout));
            store = BackendSet.Open(catalog, layout.Root, loggerFactory, key);
            var marker = new RepositoryMarker(RepositoryMarker.FormatName, RepositoryMarker.CurrentVersion,
                Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), DateTimeOffset.UtcNow);
            AtomicFile.WriteAllBytes(layout.MarkerFile, marker.ToJson(), MarkerMode);
            return new Repository(layout, marker, key, catalog, store);
        }
        catch
        {
            store?.Dispose();
            catalog?.Dispose();
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes <paramref name="root"/> (absent or an empty folder) a new device of the repository at <paramref name="from"/>:
    /// a repository folder, or a folder holding its isg-repository.json and *.key files side by side (a mounted
    /// Kubernetes Secret). Copies the descriptor and the wrapped key files only, never the identity, the catalogue or a
    /// block, once <paramref name="passphrase"/> has unlocked one of them (a wrong one leaves nothing behind), then opens
    /// the new device: a fresh identity and an empty catalogue, which syncing with the others fills.
    /// </summary>
    public static Repository Join(string root, string from, ReadOnlySpan<byte> passphrase, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var layout = new RepositoryLayout(root);
        var source = new RepositoryLayout(from);
        if (Exists(root))
        {
            throw new RepositoryException(RepositoryErrorKind.AlreadyExists, $"{layout.Root} already holds an Isg repository");
        }

        if (!File.Exists(source.MarkerFile))
        {
            throw new RepositoryException(RepositoryErrorKind.NotFound, $"no Isg repository descriptor ({Path.GetFileName(source.MarkerFile)}) in {source.Root}");
        }

        var marker = File.ReadAllBytes(source.MarkerFile);
        RepositoryMarker.Parse(marker, source.MarkerFile);
        var keyFolder = Directory.Exists(source.KeysDirectory) ? source.KeysDirectory : source.Root;
        var keyFiles = KeyFiles(keyFolder);
        UnlockKey(keyFiles, keyFolder, source.Root, passphrase).Dispose();

        PrepareEmptyRoot(layout);
        Directory.CreateDirectory(layout.KeysDirectory);
        Directory.CreateDirectory(layout.BlocksDirectory);
        foreach (var file in keyFiles)
        {
            // The names init gives, so that a join that dies before its marker is cleared by the next attempt.
            var name = IsInitKeyFile(file) ? Path.GetFileName(file) : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + ".key";
            AtomicFile.WriteAllBytes(Path.Combine(layout.KeysDirectory, name), File.ReadAllBytes(file));
        }

        AtomicFile.WriteAllBytes(layout.MarkerFile, marker, MarkerMode);
        return Open(root, passphrase, loggerFactory);
    }

    /// <summary>Opens the repository at <paramref name="root"/> with <paramref name="passphrase"/>.</summary>
    public static Repository Open(string root, ReadOnlySpan<byte> passphrase, ILoggerFactory loggerFactory) =>
        Open(root, passphrase, loggerFactory, decorate: null);

    /// <summary>As <see cref="Open(string, ReadOnlySpan{byte}, ILoggerFactory)"/>, each backend passed through <paramref name="decorate"/> (fault injection in tests).</summary>
    internal static Repository Open(string root, ReadOnlySpan<byte> passphrase, ILoggerFactory loggerFactory, Func<IStorageBackend, IStorageBackend>? decorate)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var layout = new RepositoryLayout(root);
        if (!Exists(root))
        {
            throw new RepositoryException(RepositoryErrorKind.NotFound, $"no Isg repository at {layout.Root}");
        }

        var marker = RepositoryMarker.Parse(File.ReadAllBytes(layout.MarkerFile), layout.MarkerFile);
        var key = UnlockKey(layout, passphrase);
        CatalogDatabase? catalog = null;
        try
        {
            catalog = CatalogDatabase.Open(layout.Root, CatalogOptions(layout));
            return new Repository(layout, marker, key, catalog, BackendSet.Open(catalog, layout.Root, loggerFactory, key, decorate));
        }
        catch
        {
            catalog?.Dispose();
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The node's identity (certificate and key under <see cref="RepositoryLayout.IdentityDirectory"/>), created on first
    /// need for repositories made before identities existed. The caller disposes it.
    /// </summary>
    public NodeIdentity LoadIdentity() => NodeIdentity.LoadOrCreate(Layout.IdentityDirectory);

    // The catalogue logs this node's writes as replicated operations under its device id (created on first need, so
    // repositories made before identities get one).
    private static CatalogDatabaseOptions CatalogOptions(RepositoryLayout layout)
    {
        using var identity = NodeIdentity.LoadOrCreate(layout.IdentityDirectory);
        return new CatalogDatabaseOptions { LocalDevice = identity.DeviceId };
    }

    /// <summary>Closes the catalogue, releases the backends' temp locks and wipes the key.</summary>
    public void Dispose()
    {
        Backends.Dispose();
        Catalog.Dispose();
        Key.Dispose();
    }

    // A repository needs a new or empty folder; an init that died before writing the marker left only our own
    // parts (and no stored block), so those are cleared and the init starts over.
    private static void PrepareEmptyRoot(RepositoryLayout layout)
    {
        if (!Directory.Exists(layout.Root) || !Directory.EnumerateFileSystemEntries(layout.Root).Any())
        {
            return;
        }

        if (!IsInterruptedInit(layout))
        {
            throw new RepositoryException(RepositoryErrorKind.AlreadyExists,
                $"{layout.Root} is not empty; a repository needs a new or empty folder");
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(layout.Root))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }

    // Only what an init writes before its marker, so that someone else's folder that merely shares our names
    // (a "keys" folder of SSH keys, another program's catalog.db) is never taken for one and deleted.
    private static bool IsInterruptedInit(RepositoryLayout layout)
    {
        string[] ours = ["keys", "blocks", "identity", "catalog.db", "catalog.db-wal", "catalog.db-shm", "catalog.db-journal"];
        if (!Directory.EnumerateFileSystemEntries(layout.Root).All(e => ours.Contains(Path.GetFileName(e), StringComparer.Ordinal)))
        {
            return false;
        }

        // Init makes the identity before the catalogue; without a marker the folder is ours only if it holds nothing else.
        if (Directory.Exists(layout.IdentityDirectory) && !Directory.EnumerateFileSystemEntries(layout.IdentityDirectory).All(IsIdentityFile))
        {
            return false;
        }

        var keys = Directory.Exists(layout.KeysDirectory) ? Directory.GetFileSystemEntries(layout.KeysDirectory) : [];
        if (!keys.All(IsInitKeyFile))
        {
            return false;
        }

        // Init writes its key file before it creates the catalogue.
        if (File.Exists(layout.CatalogFile) && !keys.Any(k => k.EndsWith(".key", StringComparison.Ordinal)))
        {
            return false;
        }

        return LocalBlockStore.HoldsNoObject(layout.BlocksDirectory);
    }

    private static bool IsIdentityFile(string path)
    {
        var name = Path.GetFileName(path);
        return File.Exists(path) && (name == NodeIdentity.FileName
            || (name.StartsWith("." + NodeIdentity.FileName + ".", StringComparison.Ordinal) && name.EndsWith(".tmp", StringComparison.Ordinal)));
    }

    // "<16 hex>.key" as init names key files, or AtomicFile's temporary of one: ".<16 hex>.key.<32 hex>.tmp".
    private static bool IsInitKeyFile(string path)
    {
        static bool IsHex(ReadOnlySpan<char> text) => !text.ContainsAnyExcept("0123456789abcdef");
        if (!File.Exists(path))
        {
            return false;
        }

        var name = Path.GetFileName(path.AsSpan());
        return name.Length == 20
            ? IsHex(name[..16]) && name[16..] is ".key"
            : name.Length == 58 && name[0] == '.' && IsHex(name[1..17]) && name[17..22] is ".key."
                && IsHex(name[22..54]) && name[54..] is ".tmp";
    }

    private static string[] KeyFiles(string folder) =>
        Directory.Exists(folder) ? [.. Directory.GetFiles(folder, "*.key").Order(StringComparer.Ordinal)] : [];

    private static RepositoryKey UnlockKey(RepositoryLayout layout, ReadOnlySpan<byte> passphrase) =>
        UnlockKey(KeyFiles(layout.KeysDirectory), layout.KeysDirectory, layout.Root, passphrase);

    private static RepositoryKey UnlockKey(string[] keyFiles, string keyFolder, string root, ReadOnlySpan<byte> passphrase)
    {
        if (keyFiles.Length == 0)
        {
            throw new RepositoryException(RepositoryErrorKind.Damaged, $"{keyFolder} holds no key file");
        }

        var damaged = new List<string>();
        foreach (var file in keyFiles)
        {
            var status = KeyFile.TryUnwrap(File.ReadAllBytes(file), passphrase, out var key, out var error);
            if (status == DecodeStatus.Done && key is not null)
            {
                return key;
            }

            if (error.Kind != ProtocolErrorKind.WrongPassphrase)
            {
                damaged.Add($"{Path.GetFileName(file)}: {error}");
            }
        }

        if (damaged.Count == keyFiles.Length)
        {
            throw new RepositoryException(RepositoryErrorKind.Damaged,
                $"no readable key file in {keyFolder}: {string.Join("; ", damaged)}");
        }

        throw new RepositoryException(RepositoryErrorKind.WrongPassphrase,
            $"wrong passphrase for the repository at {root}");
    }
}
