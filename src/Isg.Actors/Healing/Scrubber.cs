using System.Buffers;
using System.Collections.Concurrent;
using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Repositories;
using Isg.Actors.Striping;
using Isg.Actors.Transfers;
using Isg.Protocol.Hashing;
using Isg.Protocol.Sealing;

namespace Isg.Actors.Healing;

/// <summary>
/// One scrub pass: walks chunk rows in (backend, object name) order a page at a time, verifies each shard
/// (fetch, length, open + hash) several at once under a byte-rate limit, and with repair rewrites bad shards
/// from an intact source to the same backend and object name. Each page's results are recorded through
/// <c>record</c> (the catalogue actor) with the pass position, so a pass that stops resumes where it was.
/// Repaired objects are flushed on their backend before the record that stamps them is sent.
/// A whole-repository repair pass then protects the referenced blocks in no stripe (see <see cref="ProtectAsync"/>).
/// </summary>
public sealed class Scrubber
{
    /// <summary>The default number of chunk rows verified between two records (and cursor updates).</summary>
    public const int PageSize = 256;

    private readonly Repository _repository;
    private readonly BackendSet _backends;
    private readonly Func<ScrubRecord, CancellationToken, Task> _record;
    private readonly HealthEventLog _events;
    private readonly TokenBucket _rate;
    private readonly TimeProvider _time;
    private readonly int _parallelism;
    private readonly int _pageSize;
    private readonly ConcurrentBag<BlockSealer> _sealers = [];

    /// <summary>A scrubber over <paramref name="backends"/> (by name) of <paramref name="repository"/>.</summary>
    public Scrubber(Repository repository, BackendSet backends, Func<ScrubRecord, CancellationToken, Task> record,
        HealthEventLog events, TokenBucket rate, TimeProvider time, int parallelism, int pageSize = PageSize)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(rate);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallelism);
        _repository = repository;
        _backends = backends;
        _record = record;
        _events = events;
        _rate = rate;
        _time = time;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        _parallelism = parallelism;
        _pageSize = pageSize;
    }

    /// <summary>
    /// Runs one pass. Cancellation stops it between shards; what was recorded stays (and a whole-repository pass
    /// resumes from there when asked with <see cref="ScrubRequest.Resume"/>). Throws only on catalogue failure.
    /// </summary>
    public async Task<ScrubReport> RunAsync(ScrubRequest request, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetUtcNow();
        var clock = _time.GetTimestamp();
        var whole = request.PathPrefix is null && request.Damaged is null;
        var pass = new PassState(progress);
        ShardAddress? cursor = null;
        IReadOnlyList<ChunkRecord>? scoped = null;
        using (var reader = _repository.Catalog.CreateReader())
        {
            if (whole)
            {
                cursor = request.Resume ? ParseCursor(reader.GetConfig(CatalogWriter.ScrubCursorKey)) : null;
                foreach (var backend in reader.GetBackendShards())
                {
                    pass.TotalShards += backend.Shards;
                    pass.TotalBytes += backend.Bytes;
                }
            }
            else
            {
                scoped = request.Damaged is { } damaged ? ChunksAt(reader, damaged) : ChunksUnder(reader, request.PathPrefix!);
                pass.TotalShards = scoped.Count;
                pass.TotalBytes = scoped.Sum(c => (long)c.StoredSize);
            }
        }

        _events.Add(HealthEventKind.PassStarted, whole
            ? $"scrub pass started{(cursor is { } at ? $" (resuming after {at})" : string.Empty)}{(request.Repair ? " with repair" : string.Empty)}"
            : request.Damaged is not null ? $"verifying {scoped!.Count} shards a read found damaged{(request.Repair ? " with repair" : string.Empty)}"
            : $"verifying the shards of '{request.PathPrefix}'{(request.Repair ? " with repair" : string.Empty)}");
        try
        {
            var offset = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                IReadOnlyList<ChunkRecord> page;
                if (scoped is not null)
                {
                    page = scoped.Skip(offset).Take(_pageSize).ToList();
                    offset += page.Count;
                }
                else
                {
                    using var reader = _repository.Catalog.CreateReader();
                    page = reader.ListChunks(cursor, _pageSize);
                }

                if (page.Count == 0)
                {
                    break;
                }

                await ScrubPageAsync(page, request.Repair, whole, pass, cancellationToken).ConfigureAwait(false);
                cursor = page[^1].Address;
            }

            if (request.Repair && whole)
            {
                pass.Protected = await ProtectAsync(cancellationToken).ConfigureAwait(false);
                pass.LeafHashesRewritten = await RewriteLeafHashesAsync(cancellationToken).ConfigureAwait(false);
            }

            var finished = _time.GetUtcNow();
            var report = pass.ToReport(started, _time.GetElapsedTime(clock));
            if (whole)
            {
                var summary = new ScrubPassSummary(started, finished, report.Shards, report.Bytes, report.Bad.Count, report.Repaired.Count, report.Lost.Count);
                await _record(new ScrubRecord([], [], [], Cursor: string.Empty, summary.ToJson()), cancellationToken).ConfigureAwait(false);
            }

            _events.Add(HealthEventKind.PassFinished, System.FormattableString.Invariant(
                $"scrub pass finished: {report.Shards} shards, {report.Bytes} bytes in {report.Duration.TotalSeconds:0.0} s; {report.Bad.Count} bad, {report.Repaired.Count} repaired, {report.Lost.Count} lost"));
            progress?.Report(new TransferProgress(TransferEvent.Completed, string.Empty, pass.Bytes, pass.TotalBytes, (int)pass.Shards, (int)pass.TotalShards));
            return report;
        }
        catch (OperationCanceledException)
        {
            _events.Add(HealthEventKind.PassFinished, $"scrub pass stopped after {pass.Shards} shards; it resumes from {cursor?.ToString() ?? "the start"}");
            throw;
        }
        finally
        {
            while (_sealers.TryTake(out var sealer))
            {
                sealer.Dispose();
            }
        }
    }

    /// <summary>The cursor's stored form: "backend/object name".</summary>
    public static string FormatCursor(ShardAddress address) => $"{address.Backend}/{address.ObjectName}";

    /// <summary>Parses a stored cursor (object names never hold '/'); null when absent or malformed.</summary>
    public static ShardAddress? ParseCursor(string? cursor)
    {
        var slash = cursor?.LastIndexOf('/') ?? -1;
        return slash <= 0 || slash == cursor!.Length - 1 ? null : new ShardAddress(cursor[..slash], cursor[(slash + 1)..]);
    }

    private async Task ScrubPageAsync(IReadOnlyList<ChunkRecord> page, bool repair, bool whole, PassState pass, CancellationToken cancellationToken)
    {
        var results = new ShardCheck[page.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, page.Count), options, async (i, token) =>
        {
            await _rate.WaitAsync(page[i].StoredSize, token).ConfigureAwait(false);
            results[i] = await VerifyAsync(page[i], token).ConfigureAwait(false);
            pass.Advance(page[i].StoredSize);
        }).ConfigureAwait(false);
        pass.Report();

        var verified = new List<ShardAddress>(page.Count);
        var faults = new List<ShardFault>();
        var repaired = new List<ScrubFinding>();
        for (var i = 0; i < page.Count; i++)
        {
            var chunk = page[i];
            var check = results[i];
            switch (check.Status)
            {
                case ShardStatus.Good:
                    verified.Add(chunk.Address);
                    continue;
                case ShardStatus.Unreachable:
                    pass.Unreachable++;
                    continue;
            }

            var files = FilesOf(chunk);
            var kind = check.Status == ShardStatus.Missing ? HealthEventKind.ShardMissing : HealthEventKind.ShardCorrupt;
            _events.Add(kind, $"{chunk.Address}: {check.Message}", chunk.Address.Backend, chunk.Address.ObjectName, chunk.BlockId.ToHex(), files: files);
            var finding = new ScrubFinding(kind, chunk.Address, chunk.BlockId, check.Message, files);
            pass.Bad.Add(finding);
            var fault = new ShardFault(chunk.Address, check.Status == ShardStatus.Missing ? ShardFaultKind.Missing : ShardFaultKind.Corrupt,
                _time.GetUtcNow(), check.Message);
            if (!repair)
            {
                faults.Add(fault);
                continue;
            }

            var outcome = await RepairAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (outcome.Repaired)
            {
                repaired.Add(finding with { Kind = HealthEventKind.ShardRepaired, Message = outcome.Message });
                continue;
            }

            faults.Add(fault);
            if (!outcome.Lost)
            {
                pass.Unrepaired++;
                continue;
            }

            // One loss per stripe (or unstriped block) per pass, however many of its shards are bad.
            var lostKey = outcome.LostStripe is { } lostStripe ? $"stripe {lostStripe}" : $"block {chunk.BlockId}";
            if (pass.LostKeys.Add(lostKey))
            {
                var lostFiles = outcome.LostFiles ?? files;
                _events.Add(HealthEventKind.StripeLost, $"{lostKey} is lost: {outcome.Message}; affected files: {(lostFiles.Count == 0 ? "none" : string.Join(", ", lostFiles))}",
                    chunk.Address.Backend, chunk.Address.ObjectName, chunk.BlockId.ToHex(), outcome.LostStripe, lostFiles);
                pass.Lost.Add(finding with { Kind = HealthEventKind.StripeLost, Message = $"{lostKey}: {outcome.Message}", Files = lostFiles });
            }
        }

        // Repaired objects must be durable before the catalogue says they verified.
        foreach (var name in repaired.Select(r => r.Address.Backend).Distinct(StringComparer.Ordinal))
        {
            await _backends.Get(name).FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var finding in repaired)
        {
            _events.Add(HealthEventKind.ShardRepaired, $"{finding.Address}: {finding.Message}", finding.Address.Backend, finding.Address.ObjectName, finding.Block.ToHex(), files: finding.Files);
        }

        pass.Repaired.AddRange(repaired);
        await _record(new ScrubRecord(verified, faults, repaired.Select(r => r.Address).ToList(), whole ? FormatCursor(page[^1].Address) : null), cancellationToken).ConfigureAwait(false);
    }

    // Stripes the referenced blocks that are in no stripe (an add that crashed between a block's commit and its
    // stripe's, or whose parity put failed), a page of ids at a time, with a StripeAssembler as an add does. A block
    // stays where it is, whatever backend its slot names: the stripe's layout lists each data shard's actual
    // locations, so only the placement spread is lost, not the parity. The sealed bytes come from any copy that opens
    // and hashes to the block id; a block with no such copy is left for the loss the pass already reported. Sealed
    // stripes are committed through the record once every backend is flushed. Returns the blocks striped.
    private async Task<int> ProtectAsync(CancellationToken cancellationToken)
    {
        var policy = _repository.Settings.Redundancy;
        if (policy.IsNone)
        {
            return 0;
        }

        var stripes = new List<SealedStripe>();
        var protectedBlocks = 0;
        var unreadable = 0;
        int failed;
        using (var assembler = new StripeAssembler(policy, _backends, _repository.Key))
        {
            BlockId? after = null;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                IReadOnlyList<BlockId> page;
                using (var reader = _repository.Catalog.CreateReader())
                {
                    page = reader.ListUnprotectedBlocks(after, _pageSize);
                }

                if (page.Count == 0)
                {
                    break;
                }

                after = page[^1];
                foreach (var id in page)
                {
                    IReadOnlyList<ChunkRecord> copies;
                    using (var reader = _repository.Catalog.CreateReader())
                    {
                        copies = reader.GetChunksOfBlock(id);
                    }

                    using var sealedBlock = (await ReadIntactCopyAsync(copies, except: null, _rate, cancellationToken).ConfigureAwait(false))?.Bytes;
                    if (sealedBlock is null)
                    {
                        unreadable++;
                        continue;
                    }

                    // Already stored: the slot is reported stored as is (see above).
                    var slot = assembler.Reserve(id, sealedBlock.Memory.Span);
                    if (await assembler.ReportAsync(slot, stored: true, cancellationToken).ConfigureAwait(false) is { } full)
                    {
                        stripes.Add(full);
                    }
                }

                protectedBlocks += await CommitStripesAsync(stripes, cancellationToken).ConfigureAwait(false);
            }

            stripes.AddRange(await assembler.CloseAsync(cancellationToken).ConfigureAwait(false));
            protectedBlocks += await CommitStripesAsync(stripes, cancellationToken).ConfigureAwait(false);
            failed = assembler.FailedStripes;
        }

        if (protectedBlocks > 0 || unreadable > 0 || failed > 0)
        {
            _events.Add(HealthEventKind.BlocksProtected, System.FormattableString.Invariant(
                $"protected {protectedBlocks} unprotected blocks with {policy} parity; {unreadable} had no intact copy, {failed} stripes failed to store their parity"));
        }

        return protectedBlocks;
    }

    // Stored leaf hashes are derived from their rows; a wrong one would keep this node's catalogue root apart from its
    // peers' over identical entries (sync would repair the range forever). Counted first, so a healthy catalogue costs
    // one read and no write.
    private async Task<long> RewriteLeafHashesAsync(CancellationToken cancellationToken)
    {
        long stale;
        using (var reader = _repository.Catalog.CreateReader())
        {
            stale = reader.CountStaleLeafHashes();
        }

        if (stale > 0)
        {
            await _record(new ScrubRecord([], [], [], null) { RewriteLeafHashes = true }, cancellationToken).ConfigureAwait(false);
            _events.Add(HealthEventKind.LeafHashesRewritten, System.FormattableString.Invariant(
                $"rewrote {stale} catalogue entries' stored leaf hashes that were missing or did not match their entries"));
        }

        return stale;
    }

    // Records the stripes sealed so far once their parity is durable, and empties the list. Returns their data blocks.
    private async Task<int> CommitStripesAsync(List<SealedStripe> stripes, CancellationToken cancellationToken)
    {
        if (stripes.Count == 0)
        {
            return 0;
        }

        await _backends.FlushAllAsync(cancellationToken).ConfigureAwait(false);
        await _record(new ScrubRecord([], [], [], null) { Stripes = stripes.ToArray() }, cancellationToken).ConfigureAwait(false);
        var blocks = stripes.Sum(s => s.K);
        stripes.Clear();
        return blocks;
    }

    // A data copy among copies, other than the one at except, that verifies (length, authentication, hash), with its
    // sealed bytes (the caller disposes them); null when none does. With a rate, each read first waits for it.
    private async Task<(ChunkRecord Copy, IMemoryOwner<byte> Bytes)?> ReadIntactCopyAsync(IReadOnlyList<ChunkRecord> copies, ShardAddress? except,
        TokenBucket? rate, CancellationToken cancellationToken)
    {
        foreach (var copy in copies.Where(c => c.Address != except && !c.IsParity))
        {
            if (!_backends.TryGet(copy.Address.Backend, out var source))
            {
                continue;
            }

            if (rate is not null)
            {
                await rate.WaitAsync(copy.StoredSize, cancellationToken).ConfigureAwait(false);
            }

            IMemoryOwner<byte> bytes;
            try
            {
                bytes = await source.GetAsync(copy.Address.ObjectName, cancellationToken).ConfigureAwait(false);
            }
            catch (BackendException)
            {
                continue;
            }

            if (CheckData(copy, bytes.Memory.Span).Status == ShardStatus.Good)
            {
                return (copy, bytes);
            }

            bytes.Dispose();
        }

        return null;
    }

    private async Task<ShardCheck> VerifyAsync(ChunkRecord chunk, CancellationToken cancellationToken)
    {
        if (!_backends.TryGet(chunk.Address.Backend, out var backend))
        {
            return new ShardCheck(ShardStatus.Unreachable, $"backend '{chunk.Address.Backend}' is not configured");
        }

        IMemoryOwner<byte> stored;
        try
        {
            stored = await backend.GetAsync(chunk.Address.ObjectName, cancellationToken).ConfigureAwait(false);
        }
        catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound)
        {
            return new ShardCheck(ShardStatus.Missing, "the object is missing");
        }
        catch (BackendException e)
        {
            return new ShardCheck(ShardStatus.Unreachable, $"could not read: {e.Message}");
        }

        using (stored)
        {
            return chunk.IsParity ? CheckParity(chunk, stored.Memory.Span) : CheckData(chunk, stored.Memory.Span);
        }
    }

    private static ShardCheck CheckParity(ChunkRecord chunk, ReadOnlySpan<byte> bytes) =>
        Check(ShardVerification.ParityProblem(bytes, chunk.StoredSize, chunk.BlockId));

    private ShardCheck CheckData(ChunkRecord chunk, ReadOnlySpan<byte> bytes)
    {
        var sealer = RentSealer();
        try
        {
            return Check(ShardVerification.DataProblem(sealer, chunk.BlockId, bytes, chunk.StoredSize));
        }
        finally
        {
            _sealers.Add(sealer);
        }
    }

    private static ShardCheck Check(string? problem) =>
        problem is null ? new ShardCheck(ShardStatus.Good, string.Empty) : new ShardCheck(ShardStatus.Corrupt, problem);

    // A bad data shard is rewritten from another intact copy of the same block (a replica on another backend),
    // else rebuilt from its stripe; a bad parity shard is recomputed from its stripe.
    private async Task<RepairOutcome> RepairAsync(ChunkRecord chunk, CancellationToken cancellationToken)
    {
        if (!_backends.TryGet(chunk.Address.Backend, out var target))
        {
            return new RepairOutcome(false, false, $"backend '{chunk.Address.Backend}' is not configured");
        }

        IReadOnlyList<ChunkRecord> copies;
        using (var reader = _repository.Catalog.CreateReader())
        {
            copies = chunk.IsParity ? [] : reader.GetChunksOfBlock(chunk.BlockId);
        }

        if (await ReadIntactCopyAsync(copies, chunk.Address, rate: null, cancellationToken).ConfigureAwait(false) is { } intact)
        {
            using (intact.Bytes)
            {
                return await WriteReplacementAsync(chunk, target, intact.Bytes.Memory, $"rewritten from the copy on {intact.Copy.Address.Backend}", cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        if (chunk.StripeId is { } stripeId)
        {
            return await RebuildFromStripeAsync(chunk, stripeId, target, cancellationToken).ConfigureAwait(false);
        }

        return new RepairOutcome(false, true, copies.Count > 1 ? "no intact copy is left and it is in no stripe" : "it has no other copy and no parity");
    }

    private async Task<RepairOutcome> RebuildFromStripeAsync(ChunkRecord chunk, long stripeId, IStorageBackend target, CancellationToken cancellationToken)
    {
        StripeLayout? stripe;
        using (var reader = _repository.Catalog.CreateReader())
        {
            stripe = reader.GetStripe(stripeId);
        }

        if (stripe is null || chunk.ShardIndex < 0)
        {
            return new RepairOutcome(false, true, $"stripe {stripeId} is not in the catalogue", stripeId);
        }

        var damage = new List<ShardDamage>();
        var sealer = RentSealer();
        try
        {
            var stripeReader = new StripeReader(_backends, sealer) { DamageFound = damage.Add };
            IReadOnlyDictionary<int, PooledBuffer> rebuilt;
            try
            {
                rebuilt = await stripeReader.RebuildAsync(stripe, [chunk.ShardIndex], cancellationToken).ConfigureAwait(false);
            }
            catch (DataIntegrityException e)
            {
                return new RepairOutcome(false, true, e.Message, stripeId, LostFilesOf(stripe, chunk, damage));
            }

            using var replacement = rebuilt[chunk.ShardIndex];
            return await WriteReplacementAsync(chunk, target, replacement.Memory, $"rebuilt from stripe {stripeId} ({stripe.K}+{stripe.M})", cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            _sealers.Add(sealer);
        }
    }

    // The files of the stripe's data blocks that have no intact copy: the one being repaired (when it is data) and
    // every data shard whose every location the rebuild found missing or damaged. Intact blocks stay readable.
    private List<string> LostFilesOf(StripeLayout stripe, ChunkRecord chunk, List<ShardDamage> damage)
    {
        var badIndexes = damage.GroupBy(d => d.Index)
            .Where(g => stripe.Shards.FirstOrDefault(s => s.Index == g.Key) is { } shard && g.Count() >= shard.Locations.Count)
            .Select(g => g.Key)
            .ToHashSet();
        if (!chunk.IsParity)
        {
            badIndexes.Add(chunk.ShardIndex);
        }

        // Data shards the catalogue lists with no location at all are gone too.
        badIndexes.UnionWith(stripe.Shards.Where(s => !s.IsParity && s.Locations.Count == 0).Select(s => s.Index));
        using var reader = _repository.Catalog.CreateReader();
        return FilesOfDataShards(reader, stripe.Shards.Where(s => badIndexes.Contains(s.Index)));
    }

    // The files using the data shards among <paramref name="shards"/>, each once, in order.
    private static List<string> FilesOfDataShards(CatalogReader reader, IEnumerable<StripeShard> shards) =>
        shards.Where(s => !s.IsParity).SelectMany(s => reader.GetFilesUsingBlock(s.Id))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private async Task<RepairOutcome> WriteReplacementAsync(ChunkRecord chunk, IStorageBackend target, ReadOnlyMemory<byte> bytes, string how,
        CancellationToken cancellationToken)
    {
        try
        {
            await target.PutAsync(chunk.Address.ObjectName, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BackendException e)
        {
            return new RepairOutcome(false, false, $"could not write the replacement: {e.Message}");
        }

        // Read it back: a backend that silently mangles writes must not be stamped as verified.
        var check = await VerifyAsync(chunk, cancellationToken).ConfigureAwait(false);
        return check.Status == ShardStatus.Good
            ? new RepairOutcome(true, false, how)
            : new RepairOutcome(false, false, $"the replacement does not verify: {check.Message}");
    }

    // The files a shard serves: those of its block, or, for a parity shard (no file names it), those of its stripe's
    // data blocks, whose protection the shard is.
    private IReadOnlyList<string> FilesOf(ChunkRecord chunk)
    {
        using var reader = _repository.Catalog.CreateReader();
        if (!chunk.IsParity || chunk.StripeId is not { } stripeId || reader.GetStripe(stripeId) is not { } stripe)
        {
            return reader.GetFilesUsingBlock(chunk.BlockId);
        }

        return FilesOfDataShards(reader, stripe.Shards);
    }

    // The chunk rows still catalogued at the damaged addresses (a shard since deleted or moved by gc is skipped).
    private static List<ChunkRecord> ChunksAt(CatalogReader reader, IReadOnlyList<ShardDamage> damaged) =>
        damaged.Select(d => new ShardAddress(d.Backend, d.ObjectName)).Distinct()
            .Select(reader.GetChunkAt).OfType<ChunkRecord>()
            .OrderBy(c => c.Address.Backend, StringComparer.Ordinal).ThenBy(c => c.Address.ObjectName, StringComparer.Ordinal).ToList();

    // The chunk rows of the files at and below the prefix; a prefix that names no entry is an error.
    private static IReadOnlyList<ChunkRecord> ChunksUnder(CatalogReader reader, string prefix) =>
        reader.ListFiles(prefix).Any() ? reader.GetChunksUnder(prefix) : throw new CatalogPathNotFoundException(prefix);

    private BlockSealer RentSealer() =>
        _sealers.TryTake(out var sealer) ? sealer : new BlockSealer(_repository.Key, SealOptions.Default);

    private enum ShardStatus
    {
        Good,
        Missing,
        Corrupt,
        Unreachable,
    }

    private readonly record struct ShardCheck(ShardStatus Status, string Message);

    private readonly record struct RepairOutcome(bool Repaired, bool Lost, string Message, long? LostStripe = null, IReadOnlyList<string>? LostFiles = null);

    private sealed class PassState(IProgress<TransferProgress>? progress)
    {
        private long _shards;
        private long _bytes;

        public long TotalShards { get; set; }

        public long TotalBytes { get; set; }

        public long Shards => Interlocked.Read(ref _shards);

        public long Bytes => Interlocked.Read(ref _bytes);

        public int Unreachable { get; set; }

        public int Unrepaired { get; set; }

        public int Protected { get; set; }

        public long LeafHashesRewritten { get; set; }

        public List<ScrubFinding> Bad { get; } = [];

        public List<ScrubFinding> Repaired { get; } = [];

        public List<ScrubFinding> Lost { get; } = [];

        public HashSet<string> LostKeys { get; } = new(StringComparer.Ordinal);

        public void Advance(int bytes)
        {
            Interlocked.Increment(ref _shards);
            Interlocked.Add(ref _bytes, bytes);
        }

        // From the pass's own flow only (not the parallel workers), so progress lines keep their order.
        public void Report() =>
            progress?.Report(new TransferProgress(TransferEvent.Bytes, string.Empty, Bytes, TotalBytes, (int)Shards, (int)TotalShards));

        public ScrubReport ToReport(DateTimeOffset started, TimeSpan duration) =>
            new(started, duration, Shards, Bytes, Bad, Repaired, Lost, Unrepaired, Unreachable) { Protected = Protected, LeafHashesRewritten = LeafHashesRewritten };
    }
}
