using System.Runtime.ExceptionServices;
using Isg.Actors.Catalog;
using Isg.Actors.Runtime;
using Isg.Actors.Snapshots;

namespace Isg.Actors.Hosting;

/// <summary>Snapshots: create, find, list, compare and prune. Changes go through the catalogue actor.</summary>
public sealed partial class StorageNode
{
    /// <summary>
    /// Records the live catalogue as snapshot <paramref name="name"/> (no block is copied). Throws
    /// <see cref="SnapshotNameTakenException"/> for a name in use, <see cref="ArgumentException"/> for an invalid one.
    /// </summary>
    public async Task<SnapshotInfo> CreateSnapshotAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var workers = await GetWorkersAsync(cancellationToken).ConfigureAwait(false);
        var created = await workers.Catalog.AskAsync<ICatalogCommand, SnapshotCreated>(
            r => new CreateSnapshot(name, r), s_askTimeout, cancellationToken).ConfigureAwait(false);
        if (created.Failure is not null)
        {
            ExceptionDispatchInfo.Throw(created.Failure);
        }

        return created.Snapshot!;
    }

    /// <summary>Deletes snapshots by id (unknown ids are skipped); their blocks are left to garbage collection.</summary>
    public async Task<SnapshotsRemoval> DeleteSnapshotsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var workers = await GetWorkersAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await workers.Catalog.AskAsync<ICatalogCommand, SnapshotsDeleted>(
            r => new DeleteSnapshots(ids, r), s_askTimeout, cancellationToken).ConfigureAwait(false);
        if (deleted.Failure is not null)
        {
            ExceptionDispatchInfo.Throw(deleted.Failure);
        }

        return deleted.Removal!;
    }

    /// <summary>Every snapshot, oldest first.</summary>
    public IReadOnlyList<SnapshotInfo> ListSnapshots()
    {
        using var reader = Repository.Catalog.CreateReader();
        return reader.ListSnapshots();
    }

    /// <summary>The snapshot with id or name <paramref name="idOrName"/>; throws <see cref="SnapshotNotFoundException"/>.</summary>
    public SnapshotInfo FindSnapshot(string idOrName)
    {
        ArgumentException.ThrowIfNullOrEmpty(idOrName);
        using var reader = Repository.Catalog.CreateReader();
        return reader.FindSnapshot(idOrName) ?? throw new SnapshotNotFoundException(idOrName);
    }

    /// <summary>How <paramref name="to"/> (null: the live catalogue) differs from <paramref name="from"/>.</summary>
    public SnapshotDiff DiffSnapshots(SnapshotInfo from, SnapshotInfo? to) => SnapshotDiffer.Diff(Repository.Catalog, from, to);

    /// <summary>
    /// Applies <paramref name="policy"/> (days in <paramref name="zone"/>): deletes the snapshots it does not keep,
    /// unless <paramref name="dryRun"/>. Deletes no object: released blocks wait for garbage collection.
    /// </summary>
    public async Task<PruneReport> PruneSnapshotsAsync(RetentionPolicy policy, TimeZoneInfo zone, bool dryRun, CancellationToken cancellationToken)
    {
        var plan = SnapshotRetention.Plan(ListSnapshots(), policy, zone);
        if (dryRun || plan.Remove.Count == 0)
        {
            return new PruneReport(plan.Keep, plan.Remove, 0, 0, dryRun);
        }

        var removal = await DeleteSnapshotsAsync(plan.Remove.Select(s => s.Id).ToList(), cancellationToken).ConfigureAwait(false);
        return new PruneReport(plan.Keep, removal.Deleted, removal.BlocksReleased, removal.BytesReleased, false);
    }
}
