using System.Security.Cryptography;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Catalog;
using Isg.Actors.Storage;
using Isg.Protocol.Chunking;
using Isg.Protocol.Errors;
using Isg.Protocol.Keys;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Repositories;

/// <summary>
/// An opened repository: its unwrapped key, catalogue, local block store and settings. Created by
/// <see cref="Initialize"/> (atomically: the marker file is written last) or <see cref="Open"/>.
/// </summary>
public sealed class Repository : IDisposable
{
    private readonly LocalBlockStore _store;

    private Repository(RepositoryLayout layout, RepositoryMarker marker, RepositoryKey key, CatalogDatabase catalog, LocalBlockStore store)
    {
        Layout = layout;
        Id = marker.Id;
        Key = key;
        Catalog = catalog;
        BlockStore = _store = store;
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

    /// <summary>The local store sealed blocks go to.</summary>
    public IStorageBackend BlockStore { get; }

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
        if (Exists(root) || (Directory.Exists(layout.Root) && Directory.EnumerateFileSystemEntries(layout.Root).Any()))
        {
            throw new RepositoryException(RepositoryErrorKind.AlreadyExists,
                $"{layout.Root} is not empty; a repository needs a new or empty folder");
        }

        options.Kdf.Validate();
        Directory.CreateDirectory(layout.Root);
        Directory.CreateDirectory(layout.KeysDirectory);
        Directory.CreateDirectory(layout.BlocksDirectory);
        var key = RepositoryKey.Generate();
        try
        {
            var keyName = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            AtomicFile.WriteAllBytes(Path.Combine(layout.KeysDirectory, keyName + ".key"), KeyFile.Wrap(key, passphrase, options.Kdf));
            var catalog = CatalogDatabase.Open(layout.Root);
            var marker = new RepositoryMarker(RepositoryMarker.FormatName, RepositoryMarker.CurrentVersion,
                Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), DateTimeOffset.UtcNow);
            AtomicFile.WriteAllBytes(layout.MarkerFile, marker.ToJson(),
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            return new Repository(layout, marker, key, catalog, new LocalBlockStore(new LocalBlockStoreOptions(layout.BlocksDirectory), loggerFactory.CreateLogger<LocalBlockStore>()));
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Opens the repository at <paramref name="root"/> with <paramref name="passphrase"/>.</summary>
    public static Repository Open(string root, ReadOnlySpan<byte> passphrase, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var layout = new RepositoryLayout(root);
        if (!Exists(root))
        {
            throw new RepositoryException(RepositoryErrorKind.NotFound, $"no Isg repository at {layout.Root}");
        }

        var marker = RepositoryMarker.Parse(File.ReadAllBytes(layout.MarkerFile), layout.MarkerFile);
        var key = UnlockKey(layout, passphrase);
        try
        {
            var catalog = CatalogDatabase.Open(layout.Root);
            return new Repository(layout, marker, key, catalog, new LocalBlockStore(new LocalBlockStoreOptions(layout.BlocksDirectory), loggerFactory.CreateLogger<LocalBlockStore>()));
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Catalog.Dispose();
        Key.Dispose();
        // Releases the store's temp lock and removes its temp folder, so a finished command leaves nothing there.
        _store.Dispose();
    }

    private static RepositoryKey UnlockKey(RepositoryLayout layout, ReadOnlySpan<byte> passphrase)
    {
        var keyFiles = Directory.Exists(layout.KeysDirectory)
            ? Directory.GetFiles(layout.KeysDirectory, "*.key").Order(StringComparer.Ordinal).ToArray()
            : [];
        if (keyFiles.Length == 0)
        {
            throw new RepositoryException(RepositoryErrorKind.Damaged, $"{layout.KeysDirectory} holds no key file");
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
                $"no readable key file in {layout.KeysDirectory}: {string.Join("; ", damaged)}");
        }

        throw new RepositoryException(RepositoryErrorKind.WrongPassphrase,
            $"wrong passphrase for the repository at {layout.Root}");
    }
}
