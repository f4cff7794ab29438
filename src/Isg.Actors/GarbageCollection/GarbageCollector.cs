using System.Collections.Concurrent;
using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Repositories;
using Isg.Actors.Runtime;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.GarbageCollection;

/// <summary>
/// Mark and sweep over the catalogue and every backend.
/// <para>Mark (no lock): list every backend's objects and find those the catalogue does not know. Listing is the
/// slow part, so adds go on meanwhile. A dry run reads the candidate rows (refcount 0), plans
/// (<see cref="GcPlanner"/>) and reports here.</para>
/// <para>Sweep: take the repository lock exclusively (<see cref="RepositoryLock.ForRemovingAsync"/>, waiting up to
/// <see cref="GcOptions.Wait"/> for running adds, else Busy), so no add is in flight while anything is deleted.
/// Only under the lock are the candidates read and planned (rows change while we list: adds commit, files are
/// replaced), and the catalogue transaction re-checks each of them (refcount still 0) before forgetting it. Adds reuse any block row, referenced or not, so a block is either
/// referenced again (kept) or deleted while no add can be reusing it. Orphans (objects listed during the mark that
/// the catalogue does not know: puts of an add that stopped before its commit) are re-checked under the lock too,
/// since an add may have committed them since the listing.</para>
/// <para>Orphans on a platform backend (not on this machine) that says when they were written are kept while younger
/// than <see cref="GcOptions.OrphanGrace"/>: another process (the node's uploader or healer) may have just completed
/// the upload and be about to record it, outside the repository lock.</para>
/// <para>Order, always: the catalogue transaction first (rows forgotten), then the object deletes. A delete that
/// fails (or a process killed in between) leaves an orphan that the next collection removes; the reverse order could
/// leave a row naming an object that no longer exists.</para>
/// </summary>
public sealed class GarbageCollector(
    Repository repository, IReadOnlyList<IStorageBackend> backends, IActorRef<ICatalogCommand> catalog, ILogger logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private static readonly TimeSpan s_askTimeout = TimeSpan.FromMinutes(5);
    private const int ParallelDeletes = 8;

    // A pack whose live objects fill less than this is rewritten (restic's prune repacks below a similar share).
    private const double PackLiveFraction = 0.5;

    /// <summary>Runs one collection (see the class summary). Throws the Busy <see cref="RepositoryException"/> when adds outlast the wait.</summary>
    public async Task<GcReport> CollectAsync(GcOptions options, IProgress<GcPhase>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var policy = options.EffectivePolicy;
        policy.Validate();

        progress?.Report(GcPhase.Listing);
        var listed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var backend in backends)
        {
            var names = new List<string>();
            await foreach (var name in backend.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                names.Add(name);
            }

            listed[backend.Name] = names;
        }

        progress?.Report(GcPhase.Planning);
        var orphans = FindOrphans(listed);
        var deferred = await DeferYoungOrphansAsync(orphans, options.EffectiveOrphanGrace, cancellationToken).ConfigureAwait(false);
        if (options.DryRun)
        {
            var dryPlan = Plan(policy);
            progress?.Report(GcPhase.Done);
            return DryRunReport(dryPlan, orphans, deferred);
        }

        using var repositoryLock = await RepositoryLock.ForRemovingAsync(repository.Layout, options.EffectiveWait,
            () => progress?.Report(GcPhase.WaitingForLock), cancellationToken).ConfigureAwait(false);
        progress?.Report(GcPhase.Sweeping);

        // Planned only now, on what is true under the lock (see the class summary).
        var plan = Plan(policy);

        var forgotten = GcForgotten.None;
        if (plan.DeadBlocks.Count > 0 || plan.DeadStripes.Count > 0)
        {
            var reply = await catalog.AskAsync<ICatalogCommand, GarbageForgotten>(
                r => new ForgetGarbage(plan.DeadBlocks.Select(b => b.Id).ToList(), plan.DeadStripes.Select(s => s.Stripe.Id).ToList(), r),
                s_askTimeout, cancellationToken).ConfigureAwait(false);
            if (reply.Failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(reply.Failure);
            }

            forgotten = reply.Forgotten;
        }

        var (repacked, kept, written) = await RepackAsync(plan, cancellationToken).ConfigureAwait(false);

        // Re-checked only now: a repack may have written (and recorded) an object of the same name again, e.g. the
        // leftovers of a repack that stopped before its commit.
        orphans = FindOrphans(orphans);

        var tally = new ConcurrentDictionary<string, Tally>(StringComparer.Ordinal);
        foreach (var backend in backends)
        {
            tally[backend.Name] = new Tally();
        }

        var deletions = forgotten.Objects.Concat(repacked.Objects).Select(o => (Object: o, Orphan: false))
            .Concat(orphans.SelectMany(pair => pair.Value.Select(name => (Object: new GcObject(pair.Key, name, 0), Orphan: true))));
        var byName = backends.ToDictionary(b => b.Name, StringComparer.Ordinal);
        await Parallel.ForEachAsync(deletions, new ParallelOptions { MaxDegreeOfParallelism = ParallelDeletes, CancellationToken = cancellationToken },
            async (deletion, token) =>
            {
                var counts = tally.GetOrAdd(deletion.Object.Backend, _ => new Tally());
                if (!byName.TryGetValue(deletion.Object.Backend, out var backend))
                {
                    logger.LogWarning("cannot delete {Object}: backend {Backend} is not configured", deletion.Object.ObjectName, deletion.Object.Backend);
                    Interlocked.Increment(ref counts.Failures);
                    return;
                }

                try
                {
                    await backend.DeleteAsync(deletion.Object.ObjectName, token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
                {
                    // The row is forgotten already: the object is an orphan now, and the next collection deletes it.
                    logger.LogWarning("could not delete {Object} from {Backend} ({Kind}): {Reason}; the next gc retries",
                        deletion.Object.ObjectName, backend.Name, backend.Classify(e), e.Message);
                    Interlocked.Increment(ref counts.Failures);
                    return;
                }

                if (deletion.Orphan)
                {
                    Interlocked.Increment(ref counts.Orphans);
                }
                else
                {
                    Interlocked.Increment(ref counts.Objects);
                    Interlocked.Add(ref counts.Bytes, deletion.Object.Bytes);
                }
            }).ConfigureAwait(false);

        var compacted = await CompactLocalStoresAsync(backends, cancellationToken).ConfigureAwait(false);
        var perBackend = tally.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new GcBackendReport(t.Key, t.Value.Objects, t.Value.Bytes, t.Value.Orphans, t.Value.Failures)
            {
                OrphansDeferred = deferred.GetValueOrDefault(t.Key),
                PackBytesReclaimed = compacted.GetValueOrDefault(t.Key),
            }).ToList();
        var report = new GcReport(false, forgotten.Blocks + repacked.Blocks, forgotten.Stripes, repacked.Stripes,
            plan.Kept.Count + kept, forgotten.Skipped + repacked.Skipped, perBackend)
        {
            BytesWritten = written,
        };
        logger.LogInformation(
            "gc: forgot {Blocks} blocks, repacked {Repacked} stripes, deleted {Objects} objects ({Bytes} bytes, {Written} written) and {Orphans} orphans ({Deferred} too young, kept); {Failures} deletes failed",
            report.BlocksDeleted, report.StripesRepacked, perBackend.Sum(b => b.ObjectsDeleted), report.BytesDeleted, written, report.OrphansDeleted,
            report.OrphansDeferred, report.DeleteFailures);
        progress?.Report(GcPhase.Done);
        return report;
    }

    // Deleted objects of a local store leave dead space in its packs: compaction gives it back. A failure is logged and
    // left to the next gc; nothing is lost by skipping it.
    private async Task<Dictionary<string, long>> CompactLocalStoresAsync(IEnumerable<IStorageBackend> backends, CancellationToken cancellationToken)
    {
        var reclaimed = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var backend in backends)
        {
            if (Backends.Resilience.BackendDecorator.Platform(backend) is not Backends.Local.LocalBlockStore local)
            {
                continue;
            }

            try
            {
                reclaimed[backend.Name] = (await local.CompactAsync(PackLiveFraction, cancellationToken).ConfigureAwait(false)).BytesReclaimed;
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
            {
                logger.LogWarning("gc: could not compact the packs of {Backend}: {Reason}; the next gc retries", backend.Name, e.Message);
            }
        }

        return reclaimed;
    }

    private GcPlan Plan(GcPolicy policy)
    {
        using var reader = repository.Catalog.CreateReader();
        var plan = GcPlanner.Plan(reader.ReadGcCandidates(policy.RepackSmall ? (policy.PolicyDataShards + 1) / 2 : 0), policy);
        if (!repository.Settings.Redundancy.IsNone || plan.Repacks.All(r => r.Dead.Count > 0))
        {
            return plan;
        }

        // Without redundancy a repack unstripes the live blocks: worth it to drop dead ones, not merely to merge.
        var merges = plan.Repacks.Where(r => r.Dead.Count == 0).ToList();
        return plan with { Repacks = plan.Repacks.Except(merges).ToList() };
    }

    // Moves the live blocks of the planned repacks to new stripes and commits that (see StripeRepacker and
    // CatalogWriter.CommitRepack). Returns what the commit forgot, the dead blocks kept because their stripe was
    // not repacked after all, and the bytes written.
    private async Task<(GcForgotten Forgotten, int Kept, long Written)> RepackAsync(GcPlan plan, CancellationToken cancellationToken)
    {
        if (plan.Repacks.Count == 0)
        {
            return (GcForgotten.None, 0, 0);
        }

        var repacker = new StripeRepacker(repository.Key, repository.Settings.Redundancy, new BackendSet(backends), logger);
        GcRepack? repack;
        using (var reader = repository.Catalog.CreateReader())
        {
            repack = await repacker.PrepareAsync(plan.Repacks, reader, cancellationToken).ConfigureAwait(false);
        }

        if (repack is null)
        {
            return (GcForgotten.None, plan.Repacks.Sum(r => r.Dead.Count), repacker.BytesWritten);
        }

        var reply = await catalog.AskAsync<ICatalogCommand, GarbageForgotten>(r => new CommitRepack(repack, r), s_askTimeout, cancellationToken)
            .ConfigureAwait(false);
        if (reply.Failure is not null)
        {
            // Nothing changed in the catalogue: the old stripes are whole and what the repack wrote is orphaned.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(reply.Failure);
        }

        var kept = reply.Forgotten.Skipped > 0 ? plan.Repacks.Sum(r => r.Dead.Count) : repacker.Skipped.Sum(r => r.Dead.Count);
        return (reply.Forgotten, kept, repacker.BytesWritten);
    }

    private Dictionary<string, IReadOnlyList<string>> FindOrphans<TNames>(Dictionary<string, TNames> names)
        where TNames : IReadOnlyCollection<string>
    {
        using var reader = repository.Catalog.CreateReader();
        return names.ToDictionary(pair => pair.Key, pair => reader.FindUnknownObjects(pair.Key, pair.Value), StringComparer.Ordinal);
    }

    // Removes from the orphans of each platform backend those written within the grace period, asking their age of
    // the backend (a HEAD each; orphans are few). Returns how many each backend keeps.
    private async Task<Dictionary<string, int>> DeferYoungOrphansAsync(Dictionary<string, IReadOnlyList<string>> orphans, TimeSpan grace, CancellationToken cancellationToken)
    {
        var deferred = new Dictionary<string, int>(StringComparer.Ordinal);
        if (grace <= TimeSpan.Zero)
        {
            return deferred;
        }

        var cutoff = _time.GetUtcNow() - grace;
        foreach (var backend in backends.Where(b => !b.Capabilities.IsLocal && orphans.GetValueOrDefault(b.Name) is { Count: > 0 }))
        {
            var young = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(orphans[backend.Name], new ParallelOptions { MaxDegreeOfParallelism = ParallelDeletes, CancellationToken = cancellationToken },
                async (name, token) =>
                {
                    if (await ObjectTimestamps.LastModifiedAsync(backend, name, token).ConfigureAwait(false) is { } written && written > cutoff)
                    {
                        young.Add(name);
                    }
                }).ConfigureAwait(false);
            if (!young.IsEmpty)
            {
                var keep = young.ToHashSet(StringComparer.Ordinal);
                orphans[backend.Name] = orphans[backend.Name].Where(n => !keep.Contains(n)).ToList();
                deferred[backend.Name] = keep.Count;
                logger.LogInformation("gc: {Count} orphans on {Backend} were written less than {Grace} ago; kept for a later run", keep.Count, backend.Name, grace);
            }
        }

        return deferred;
    }

    private static GcReport DryRunReport(GcPlan plan, Dictionary<string, IReadOnlyList<string>> orphans, Dictionary<string, int> deferred)
    {
        var objects = plan.DeadBlocks.Concat(plan.DeadStripes.SelectMany(s => s.Dead)).SelectMany(b => b.Objects)
            .Concat(plan.DeadStripes.SelectMany(s => s.Stripe.Parity)).ToList();
        var perBackend = objects.Select(o => o.Backend).Concat(orphans.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(name => new GcBackendReport(name, objects.Count(o => o.Backend == name), objects.Where(o => o.Backend == name).Sum(o => o.Bytes),
                orphans.GetValueOrDefault(name)?.Count ?? 0, 0) { OrphansDeferred = deferred.GetValueOrDefault(name) })
            .ToList();
        return new GcReport(true, plan.DeadBlocks.Count + plan.DeadStripes.Sum(s => s.Dead.Count),
            plan.DeadStripes.Count, plan.Repacks.Count, plan.Kept.Count, 0, perBackend);
    }

    private sealed class Tally
    {
        public int Objects;
        public long Bytes;
        public int Orphans;
        public int Failures;
    }
}
