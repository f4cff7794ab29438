using Google.Protobuf;
using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Protocol.Crdt;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;
using Microsoft.Extensions.Logging;
using VersionVector = Isg.Protocol.Crdt.VersionVector;

namespace Isg.Actors.Sync;

/// <summary>
/// Merkle sync (/node/sync, DESIGN.md §5): tells connected peers what this catalogue holds whenever its log grows,
/// pulls what a peer announces and this node lacks (one pull per peer at a time, repeated when more arrives meanwhile),
/// repairs drift when the logs agree and the roots do not, and collects operations every member has seen. Pulls run
/// off the mailbox and report back; the catalogue actor applies what they bring.
/// </summary>
public sealed class SyncActor(CatalogDatabase catalog, IActorRef<ICatalogCommand> writer, SyncOptions options) : Actor<ISyncCommand>
{
    private readonly Dictionary<DeviceId, PeerEntry> _peers = [];

    // The latest summary of each device, kept across its connections (one per paired device at most). A peer's frames
    // reach this actor straight from its connection, its PeerJoined and PeerLeft through the peers actor: a summary
    // sent right after the handshake can come before the join, or land on the entry of a connection that is being
    // replaced by a duplicate one. It is applied again on join, else a peer whose log never grows again (and so never
    // sends another) would stay "ahead" and unconverged for good.
    private readonly Dictionary<DeviceId, SyncSummary> _summaries = [];
    private CatalogPuller? _puller;

    // Read on every tick and write check: one reader for the actor's life, not a connection per check.
    private CatalogReader? _reader;
    private VersionVector _announced = VersionVector.Empty;
    private bool _announcedRoot;
    private bool _writeCheckScheduled;
    private CatalogState? _state;
    private DateTimeOffset _lastDrift;
    private DateTimeOffset _lastGrowth;
    private DateTimeOffset _lastCollect;
    private IDisposable? _peerEvents;

    /// <summary>Called (on the actor's thread) after each pull from a peer ends; for tests and progress displays.</summary>
    public Action<PeerSyncState>? PullCompleted { get; init; }

    /// <inheritdoc />
    protected override async ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        _puller = new CatalogPuller(catalog, writer, options.ApplyTimeout, options.OperationsApplied);
        _reader = catalog.CreateReader();

        // Entries made before this node had a device id (or by older versions) become operations before anyone asks.
        var logged = await writer.AskAsync<ICatalogCommand, MaintenanceDone>(
            r => new MaintainReplica(new ReplicaMaintenance.LogMissing(), r), options.ApplyTimeout, cancellationToken).ConfigureAwait(false);
        if (logged.Failure is not null)
        {
            throw logged.Failure;
        }

        if (logged.Count > 0)
        {
            Context.Logger.LogInformation("logged {Count} existing entries as catalogue operations", logged.Count);
        }

        _lastDrift = _lastCollect = Context.TimeProvider.GetUtcNow();
        Context.ScheduleTellOnce(TimeSpan.Zero, new Tick());
        _peerEvents = options.PeerEvents?.Subscribe(Context.ReplyAdapter<PeerEvent>(e => e switch
        {
            PeerConnected connected => new PeerJoined(connected.Session),
            _ => new PeerLeft(e.Device),
        }));
    }

    /// <inheritdoc />
    protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        _peerEvents?.Dispose();
        _peerEvents = null;
        foreach (var peer in _peers.Values)
        {
            peer.Cancel.Cancel();
            peer.Cancel.Dispose();
        }

        _peers.Clear();
        _reader?.Dispose();
        _reader = null;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask HandleAsync(ISyncCommand message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case PeerJoined joined:
                OnJoined(joined.Link);
                break;
            case PeerLeft left:
                if (_peers.Remove(left.Peer, out var gone))
                {
                    gone.Cancel.Cancel();
                    gone.Cancel.Dispose();
                    ReconsiderDeferred();
                }

                break;
            case SummaryReceived summary:
                OnSummary(summary.Peer, summary.Summary);
                break;
            case SyncNow now:
                foreach (var peer in _peers.Values)
                {
                    StartPull(peer, repair: true);
                }

                now.ReplyTo.Reply(Status());
                break;
            case GetSyncStatus get:
                get.ReplyTo.Reply(Status());
                break;
            case Tick:
                OnTick();
                break;
            case CatalogWritten:
                ScheduleWriteCheck();
                break;
            case WriteCheck:
                _writeCheckScheduled = false;
                AnnounceGrowth();
                break;
            case PullEnded ended:
                OnPullEnded(ended);
                break;
            case RetryPull retry:
                OnRetryPull(retry.Entry);
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }

        return ValueTask.CompletedTask;
    }

    private void OnJoined(IPeerLink link)
    {
        if (_peers.Remove(link.Remote, out var old))
        {
            old.Cancel.Cancel();
            old.Cancel.Dispose();
        }

        var entry = new PeerEntry(link, Context.Logger);
        _peers[link.Remote] = entry;
        entry.Summaries.Send(Summary(withRoot: true));
        PullUnlessUnderWay(entry);
        if (_summaries.TryGetValue(link.Remote, out var last))
        {
            OnSummary(link.Remote, last);
        }
    }

    private void OnSummary(DeviceId peer, SyncSummary summary)
    {
        _summaries[peer] = summary;
        if (!_peers.TryGetValue(peer, out var entry))
        {
            return;
        }

        if (!CrdtWire.TryFromWire(summary.Have, out var theirs, out var error))
        {
            Context.Logger.LogWarning("peer {Peer} sent a bad summary: {Error}", peer.ShortId, error.Message);
            return;
        }

        if (entry.Theirs is null || !entry.Theirs.Equals(theirs))
        {
            entry.Theirs = theirs;
            Remember(peer, theirs);
        }

        // A root holds only with the log it came with. A summary without one says the peer's log grew: the root it
        // sent before is stale, and compared with ours (once we hold that log too) it would look like drift and start
        // a needless repair, which scans both catalogues range by range.
        entry.TheirRoot = summary.CatalogRoot.Length == Hash256.Length ? Hash256.FromBytes(summary.CatalogRoot.Span) : null;

        Evaluate(entry);

        // The summary of a peer being pulled may show that its pull brings what another peer's was put off for, or not.
        if (entry.Pulling)
        {
            ReconsiderDeferred();
        }
    }

    // What a peer's last summary calls for: its operations this catalogue lacks, or, with the same log and another
    // root, a drift repair. Without a summary yet, a pull (as on joining).
    private void Evaluate(PeerEntry entry)
    {
        var theirs = entry.Theirs;
        var ours = Vector();
        if (theirs is null || !ours.Covers(theirs))
        {
            PullUnlessUnderWay(entry);
        }
        else if (ours.Equals(theirs) && entry.TheirRoot is { } root && ReadState() is var state && state.Vector.Equals(theirs) && root != state.Digest.Root)
        {
            // Same log, different entries: drift. Take their state of the ranges that differ (they do the same).
            StartPull(entry, repair: true);
        }
    }

    // Pulls the peer's log, unless another peer's pull is already bringing it: a device joining a cluster would
    // otherwise take the whole log from every peer at once. Put off while another pull runs, unless both logs are known
    // and this peer's holds operations the pulled peer's does not; reconsidered when that pull ends, a summary arrives,
    // or the pull has brought nothing for the patience.
    private void PullUnlessUnderWay(PeerEntry entry)
    {
        var now = Context.TimeProvider.GetUtcNow();
        if (!entry.Pulling && _peers.Values.Any(p => p != entry && p.Pulling
            && (entry.Theirs is null || p.Theirs is null || p.Theirs.Covers(entry.Theirs))
            && now - Max(_lastGrowth, p.PullStarted) < options.PullPatience))
        {
            entry.Deferred = true;
            return;
        }

        StartPull(entry, repair: false);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    // A pull has ended, its peer left, a summary arrived, or a tick came: the pulls put off are reconsidered.
    private void ReconsiderDeferred()
    {
        foreach (var entry in _peers.Values.Where(p => p.Deferred).ToList())
        {
            entry.Deferred = false;
            Evaluate(entry);
        }
    }

    private void OnTick()
    {
        var vector = AnnounceGrowth();
        ReconsiderDeferred();

        var now = Context.TimeProvider.GetUtcNow();
        if (now - _lastDrift >= options.DriftInterval)
        {
            _lastDrift = now;

            // Drift is a change of the entries behind the log (a restored file, a damaged database), so the root
            // cached for this log cannot show it: the check reads the catalogue afresh.
            _state = null;

            // A peer keeps the last summary it got until this log grows again, so a root that never arrived (sent on
            // a connection being replaced, say) left it "not in step" for good; resent here, it costs one interval.
            if (_peers.Count > 0 && _announcedRoot)
            {
                Broadcast(Summary(withRoot: true));
            }

            if (_peers.Values.Any(p => p.TheirRoot is not null && vector.Equals(p.Theirs)))
            {
                var state = ReadState();
                foreach (var peer in _peers.Values.Where(p => p.TheirRoot is { } root && state.Vector.Equals(p.Theirs) && root != state.Digest.Root))
                {
                    StartPull(peer, repair: true);
                }
            }
        }

        if (now - _lastCollect >= options.CollectInterval)
        {
            _lastCollect = now;
            var members = options.Members();
            writer.Tell(new MaintainReplica(new ReplicaMaintenance.Collect(members), new LogFailure<MaintenanceDone>(Context.Logger, d => d.Failure, "collecting operations")));
        }

        Context.ScheduleTellOnce(options.TickInterval, new Tick());
    }

    // The log grew: say so at once, without the root (computing it on every growth would cost a scan each time); the
    // root follows at the next check that finds no growth, soon after (peers count as in step only once roots agree).
    // Returns the vector read.
    private VersionVector AnnounceGrowth()
    {
        var vector = Vector();
        if (!vector.Equals(_announced))
        {
            _announced = vector;
            _lastGrowth = Context.TimeProvider.GetUtcNow();
            _announcedRoot = false;
            Broadcast(Summary(withRoot: false));
            ScheduleWriteCheck();
        }
        else if (!_announcedRoot && _peers.Count > 0)
        {
            _announcedRoot = true;
            Broadcast(Summary(withRoot: true));
        }

        return vector;
    }

    private void ScheduleWriteCheck()
    {
        if (options.WriteCheckDelay is { } delay && !_writeCheckScheduled)
        {
            _writeCheckScheduled = true;
            Context.ScheduleTellOnce(delay, new WriteCheck());
        }
    }

    private void StartPull(PeerEntry entry, bool repair)
    {
        entry.Deferred = false;
        if (entry.Pulling)
        {
            entry.Again = true;
            entry.RepairNext |= repair;
            return;
        }

        entry.Pulling = true;
        entry.PullStarted = Context.TimeProvider.GetUtcNow();
        var self = Context.Self;
        var puller = _puller!;
        var link = entry.Link;
        var token = entry.Cancel.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                var applied = await puller.PullOperationsAsync(link, token).ConfigureAwait(false);
                if (repair)
                {
                    applied += await puller.RepairDriftAsync(link, token).ConfigureAwait(false);
                }

                self.Tell(new PullEnded(entry, applied, null) { Repaired = repair });
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                self.Tell(new PullEnded(entry, 0, e));
            }
        }, CancellationToken.None);
    }

    private void OnPullEnded(PullEnded ended)
    {
        var entry = ended.Entry;
        if (!_peers.TryGetValue(entry.Link.Remote, out var current) || !ReferenceEquals(current, entry))
        {
            ReconsiderDeferred();
            return;
        }

        entry.Pulling = false;
        entry.LastPull = Context.TimeProvider.GetUtcNow();
        if (ended.Repaired)
        {
            _state = null;
        }

        entry.LastError = ended.Failure?.Message;
        if (ended.Failure is PeerMisbehavedException misbehaved)
        {
            Context.Logger.LogWarning("peer {Peer} sent bad catalogue data: {Error}", entry.Link.Remote.ShortId, misbehaved.Error.Message);
        }
        else if (ended.Failure is not null and not OperationCanceledException and not PeerUnavailableException)
        {
            Context.Logger.LogWarning(ended.Failure, "pull from {Peer} failed", entry.Link.Remote.ShortId);
        }
        else if (ended.Applied > 0)
        {
            Context.Logger.LogDebug("pulled {Count} operations from {Peer}", ended.Applied, entry.Link.Remote.ShortId);
        }

        if (ended.Failure is not null)
        {
            // Nothing else would pull again before the peer's log grows or its next drift check resends its summary
            // (up to 30 s of nothing): a failed pull is tried again, later each time.
            ScheduleRetry(entry);
        }
        else
        {
            entry.Failures = 0;
            if (entry.Again)
            {
                PullAgain(entry);
            }
        }

        ReconsiderDeferred();
        (PullCompleted ?? options.PullCompleted)?.Invoke(State(entry, ReadState()));
    }

    private void ScheduleRetry(PeerEntry entry)
    {
        var delay = options.PullRetryDelay * Math.Pow(2, Math.Min(entry.Failures, 10));
        entry.Failures++;
        Context.ScheduleTellOnce(delay < options.DriftInterval ? delay : options.DriftInterval, new RetryPull(entry));
    }

    // The entry's connection may have been replaced meanwhile (its successor pulled on joining) or a pull started.
    private void OnRetryPull(PeerEntry entry)
    {
        if (!_peers.TryGetValue(entry.Link.Remote, out var current) || !ReferenceEquals(current, entry) || entry.Pulling)
        {
            return;
        }

        if (entry.Again)
        {
            PullAgain(entry);
        }
        else
        {
            Evaluate(entry);
        }
    }

    // The pull asked for while the last one ran (see StartPull), a repair if any of those asks was one.
    private void PullAgain(PeerEntry entry)
    {
        entry.Again = false;
        var repair = entry.RepairNext;
        entry.RepairNext = false;
        StartPull(entry, repair);
    }

    private SyncStatus Status()
    {
        var ours = ReadState();
        return new SyncStatus(ours.Vector, ours.Digest.Root, ours.Digest.Count, [.. _peers.Values.Select(p => State(p, ours))]);
    }

    private static PeerSyncState State(PeerEntry entry, CatalogState ours)
    {
        var theirs = entry.Theirs ?? VersionVector.Empty;
        long behind = 0, ahead = 0;
        foreach (var (device, sequence) in theirs.Entries)
        {
            behind += (long)Math.Max(0, (decimal)sequence - ours.Vector[device]);
        }

        foreach (var (device, sequence) in ours.Vector.Entries)
        {
            ahead += (long)Math.Max(0, (decimal)sequence - theirs[device]);
        }

        var rootsAgree = entry.TheirRoot is { } root && behind == 0 && ahead == 0 && root == ours.Digest.Root;
        return new PeerSyncState(entry.Link.Remote, behind, ahead, rootsAgree, entry.Pulling, entry.LastPull, entry.LastError);
    }

    private SyncSummary Summary(bool withRoot)
    {
        if (!withRoot)
        {
            return new SyncSummary { Have = CrdtWire.ToWire(Vector()) };
        }

        var ours = ReadState();
        return new SyncSummary
        {
            Have = CrdtWire.ToWire(ours.Vector),
            CatalogRoot = ByteString.CopyFrom(ours.Digest.Root.ToArray()),
            FileCount = (ulong)ours.Digest.Count,
        };
    }

    private void Broadcast(SyncSummary summary)
    {
        foreach (var peer in _peers.Values)
        {
            peer.Summaries.Send(summary);
        }
    }

    private void Remember(DeviceId peer, VersionVector vector) =>
        writer.Tell(new MaintainReplica(new ReplicaMaintenance.MemberVector(peer, vector),
            new LogFailure<MaintenanceDone>(Context.Logger, d => d.Failure, "recording a member's vector")));

    private VersionVector Vector() => _reader!.ReadVersionVector();

    // The log's state with the catalogue's root, computed once per log state (entries change with the log, except by
    // drift: see OnTick). Both are read in one snapshot: read one after the other, a commit in between paired a vector
    // with the next state's root, and a peer holding that vector saw the roots disagree and started a repair.
    private CatalogState ReadState()
    {
        var vector = Vector();
        if (_state is { } cached && cached.Vector.Equals(vector))
        {
            return cached;
        }

        using (_reader!.BeginSnapshot())
        {
            _state = new CatalogState(_reader.ReadVersionVector(), _reader.ComputeCatalogDigest(string.Empty, null));
        }

        return _state;
    }

    private sealed record Tick : ISyncCommand;

    private sealed record WriteCheck : ISyncCommand;

    // The log's version vector and the catalogue's root over the same state.
    private sealed record CatalogState(VersionVector Vector, CatalogDigest Digest);

    // Entry: the one the pull ran for; a pull of a replaced entry (a reconnect, an instance before a restart) ends nothing now.
    private sealed record PullEnded(PeerEntry Entry, int Applied, Exception? Failure) : ISyncCommand
    {
        // A drift repair may change entries without moving the log, which the cached root cannot see.
        public bool Repaired { get; init; }
    }

    private sealed record RetryPull(PeerEntry Entry) : ISyncCommand;

    private sealed class PeerEntry
    {
        public PeerEntry(IPeerLink link, ILogger logger)
        {
            Link = link;
            Summaries = new SummarySender(link, logger, Cancel.Token);
        }

        public IPeerLink Link { get; }

        public CancellationTokenSource Cancel { get; } = new();

        // This node's summaries to the peer, in order (see SummarySender).
        public SummarySender Summaries { get; }

        public VersionVector? Theirs { get; set; }

        public Hash256? TheirRoot { get; set; }

        public bool Pulling { get; set; }

        public bool Again { get; set; }

        public bool RepairNext { get; set; }

        // Pulls that failed in a row: each waits twice as long as the one before to be tried again.
        public int Failures { get; set; }

        // A log pull put off while another peer's pull was bringing the same operations (see PullUnlessUnderWay).
        public bool Deferred { get; set; }

        public DateTimeOffset PullStarted { get; set; }

        public DateTimeOffset? LastPull { get; set; }

        public string? LastError { get; set; }
    }
}
