using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Isg.Actors.Backends.Queue;
using Isg.Actors.Backends.Secrets;
using Isg.Actors.Catalog;
using Isg.Actors.Repositories;
using Isg.Actors.Striping;
using Isg.Actors.Transfers;
using Isg.Protocol.Sealing;

namespace Isg.Actors.Backends;

/// <summary>Adding backends of any type with credentials, rotating credentials, and removing a backend safely.</summary>
public static partial class BackendAdministration
{
    /// <summary>
    /// Adds backend <paramref name="name"/> of <paramref name="type"/> (one of <see cref="BackendTypes.All"/>) with the
    /// setting <paramref name="values"/> by setting name; secret settings are sealed with the repository key. Refuses
    /// unknown types and settings, missing required ones, and what <see cref="AddLocal"/> / <see cref="AddVideo"/> refuse.
    /// </summary>
    public static BackendRecord Add(Repository repository, string type, string name, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(values);
        var info = BackendTypes.Find(type ?? string.Empty) ?? throw new RepositoryException(RepositoryErrorKind.BadSetting,
            $"unknown backend type '{type}'; known: {string.Join(", ", BackendTypes.All.Select(t => t.Type))}");
        foreach (var key in values.Keys.Where(k => info.Find(k) is null))
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"backend type {info.Type} takes no --{key}");
        }

        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in info.Settings)
        {
            if (values.TryGetValue(setting.Name, out var value) && value.Length > 0)
            {
                given[setting.Name] = value;
            }
            else if (setting.Default is not null)
            {
                given[setting.Name] = setting.Default;
            }
            else if (setting.Required)
            {
                throw new RepositoryException(RepositoryErrorKind.BadSetting, $"backend type {info.Type} needs --{setting.Name}");
            }
        }

        switch (info.Type)
        {
            case BackendFactory.LocalType:
                return AddLocal(repository, name, given["path"]);
            case BackendFactory.VideoType:
                if (!long.TryParse(given["pack-size"], NumberStyles.None, CultureInfo.InvariantCulture, out var packSize))
                {
                    throw new RepositoryException(RepositoryErrorKind.BadSetting, $"--pack-size must be a number of bytes, got '{given["pack-size"]}'");
                }

                return AddVideo(repository, name, given["path"], given["profile"], packSize);
            case BackendFactory.TestRemoteType:
                return Add(repository, name, given["path"], BackendFactory.TestRemoteType, BackendFactory.LocalSettings, IsBlockStore, "an Isg block store",
                    Pick(info, given, secret: true));
            default:
                return AddRemote(repository, name, info, given);
        }
    }

    /// <summary>
    /// Merges <paramref name="changes"/> into the sealed credentials of backend <paramref name="name"/> (e.g. a rotated
    /// refresh token). Throws <see cref="RepositoryException"/> (BadSetting) for an unknown backend.
    /// </summary>
    public static async Task UpdateSecretsAsync(Repository repository, string name, IReadOnlyDictionary<string, string> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        try
        {
            await new CatalogBackendSecretStore(repository.Catalog, repository.Key).SaveAsync(name, changes, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, e.Message);
        }
    }

    /// <summary>Every non-empty upload queue, by backend name.</summary>
    public static IReadOnlyDictionary<string, UploadQueueSummary> QueueSummaries(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        using var reader = repository.Catalog.CreateReader();
        return reader.GetUploadQueueSummaries().ToDictionary(s => s.Backend, StringComparer.Ordinal);
    }

    /// <summary>
    /// Removes backend <paramref name="name"/>. Blocks whose only data copy is there are first rebuilt from their
    /// stripes onto other backends; a block no stripe can rebuild (the backend holds the only copy) makes it refuse,
    /// unless <paramref name="migrate"/>, which copies such blocks (read from the backend, verified) to other backends
    /// first. Parity shards only it holds are copied or rebuilt too (dropped, and counted, when their stripe cannot
    /// rebuild them). Then its chunk rows, queue and record are forgotten (its folder or platform objects are left alone).
    /// Throws <see cref="RepositoryException"/> (BadSetting) when refused or a block cannot be moved.
    /// </summary>
    public static async Task<BackendRemovalReport> RemoveAsync(Repository repository, string name, bool migrate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(name);
        IReadOnlyList<LeavingBlock> leaving;
        using (var reader = repository.Catalog.CreateReader())
        {
            if (reader.ListBackends().All(b => b.Name != name))
            {
                throw new RepositoryException(RepositoryErrorKind.BadSetting, $"no backend named '{name}'");
            }

            leaving = [.. reader.ListLeavingBlocks(name), .. reader.ListLeavingParity(name)];
        }

        var onlyCopies = leaving.Count(b => !b.Rebuildable && !b.IsParity);
        if (onlyCopies > 0 && !migrate)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting,
                $"backend '{name}' holds the only copy of {onlyCopies} blocks; --migrate copies them to other backends first");
        }

        var targets = repository.Backends.All.Where(b => b.Name != name).OrderBy(b => b is QueuedBackend ? 1 : 0).ToList();
        if (leaving.Count > 0 && targets.Count == 0)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"backend '{name}' is the only backend; add another before removing it");
        }

        var (copied, rebuilt, dropped) = leaving.Count == 0 ? (0, 0, 0) : await MoveAsync(repository, name, leaving, targets, cancellationToken).ConfigureAwait(false);
        BackendRemoval? removal;
        using (var writer = repository.Catalog.CreateWriter())
        {
            removal = writer.ForgetBackend(name);
        }

        return removal is null
            ? throw new RepositoryException(RepositoryErrorKind.BadSetting, $"backend '{name}' received new blocks while it was being emptied; run the removal again")
            : new BackendRemovalReport(name, copied, rebuilt, removal.DataChunks + removal.ParityChunks, dropped);
    }

    private static async Task<(int Copied, int Rebuilt, int Dropped)> MoveAsync(
        Repository repository, string name, IReadOnlyList<LeavingBlock> leaving, List<IStorageBackend> targets, CancellationToken cancellationToken)
    {
        var source = repository.Backends.Get(name);
        var reader = new StripeReader(repository.Backends, new BlockSealer(repository.Key, SealOptions.Default));
        var copies = new List<(LeavingBlock, string)>(leaving.Count);
        var used = new HashSet<IStorageBackend>();
        int copied = 0, rebuilt = 0, dropped = 0, next = 0;
        foreach (var block in leaving)
        {
            // A copy is cheaper than a rebuild (one read instead of k); the rebuild covers a backend that is gone.
            IMemoryOwner<byte>? bytes = await TryCopyAsync(source, reader, block, cancellationToken).ConfigureAwait(false);
            if (bytes is not null)
            {
                copied++;
            }
            else if (block.Rebuildable)
            {
                bytes = await RebuildAsync(repository, reader, block, cancellationToken).ConfigureAwait(false);
                if (bytes is null)
                {
                    // A parity shard whose stripe lacks k other shards: nothing to rebuild it from; it is dropped.
                    dropped++;
                    continue;
                }

                rebuilt++;
            }
            else
            {
                throw new RepositoryException(RepositoryErrorKind.BadSetting,
                    $"block {block.Id} (the only copy) cannot be read intact from backend '{name}'; nothing was removed");
            }

            using (bytes)
            {
                var target = targets[next++ % targets.Count];
                await target.PutAsync(block.ObjectName, bytes.Memory, cancellationToken).ConfigureAwait(false);
                used.Add(target);
                copies.Add((block, target.Name));
            }
        }

        foreach (var target in used)
        {
            await target.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var writer = repository.Catalog.CreateWriter())
        {
            writer.AddShardCopies(copies);
        }

        return (copied, rebuilt, dropped);
    }

    // The shard as stored on the source when it reads back intact, else null.
    private static async Task<IMemoryOwner<byte>?> TryCopyAsync(IStorageBackend source, StripeReader reader, LeavingBlock block, CancellationToken cancellationToken)
    {
        IMemoryOwner<byte> owner;
        try
        {
            owner = await source.GetAsync(block.ObjectName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BackendException or IOException)
        {
            return null;
        }

        bool intact;
        if (block.IsParity)
        {
            // A parity shard is named by the SHA-256 of its bytes.
            intact = Protocol.Hashing.Hash256.Compute(owner.Memory.Span) == block.Id.Hash;
        }
        else
        {
            using var plain = reader.Open(block.Id, owner.Memory.Span);
            intact = plain is not null;
        }

        if (!intact)
        {
            owner.Dispose();
            return null;
        }

        return owner;
    }

    private static async Task<PooledBuffer?> RebuildAsync(Repository repository, StripeReader reader, LeavingBlock block, CancellationToken cancellationToken)
    {
        StripeLayout? stripe;
        using (var catalog = repository.Catalog.CreateReader())
        {
            stripe = catalog.GetStripe(block.StripeId!.Value);
        }

        if (stripe is null)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"block {block.Id}: its stripe {block.StripeId} vanished; run the removal again");
        }

        try
        {
            var rebuilt = await reader.RebuildAsync(stripe, [block.StripeIndex!.Value], cancellationToken).ConfigureAwait(false);
            return rebuilt[block.StripeIndex.Value];
        }
        catch (DataIntegrityException) when (block.IsParity)
        {
            return null;
        }
        catch (DataIntegrityException e)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"block {block.Id} cannot be rebuilt: {e.Message}; nothing was removed");
        }
    }

    private static BackendRecord AddRemote(Repository repository, string name, BackendTypeInfo info, Dictionary<string, string> values)
    {
        CheckName(name);
        var settings = Pick(info, values, secret: false);
        var secrets = Pick(info, values, secret: true);
        var record = new BackendRecord(name!, info.Type, JsonSerializer.Serialize(settings), DateTimeOffset.UtcNow) { Secrets = secrets };
        using var writer = repository.Catalog.CreateWriter();
        try
        {
            writer.AddBackend(record, BackendSecrets.Seal(repository.Key, record.Name, secrets));
        }
        catch (CatalogException e) when (e.Kind == CatalogErrorKind.Constraint)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"a backend named '{name}' exists already");
        }

        return record;
    }

    // The values of the secret (or of the non-secret) settings of the type.
    private static Dictionary<string, string> Pick(BackendTypeInfo info, Dictionary<string, string> values, bool secret) =>
        values.Where(v => info.Find(v.Key)?.Secret == secret).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
}
