using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Repositories;
using Isg.Actors.Runtime;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Swarm;

/// <summary>
/// The fetch scheduler (/node/swarm, DESIGN.md §6): asks connected peers for blocks the catalogue needs and this node
/// holds nowhere, least busy peer first, several requests in flight per peer; a peer that answers "not here" is not
/// asked for that block again, one that sends a bad block is penalised (asked last from then on) and the block is
/// fetched elsewhere. Every received block is checked against its id before it is stored and recorded.
/// </summary>
public sealed class SwarmActor(Repository repository, IActorRef<ICatalogCommand> catalog, SwarmOptions options) : Actor<ISwarmCommand>
{
    private readonly Dictionary<DeviceId, SwarmPeer> _peers = [];
    private readonly Dictionary<BlockId, Fetch> _fetches = [];

    // The fetches in _fetches that are not running, in the order Dispatch starts them.
    private readonly FetchQueue<Fetch> _queue = new();
    private readonly Dictionary<BlockId, DateTimeOffset> _resting = [];
    private readonly BlockFetcher _fetcher = new(repository);
    private readonly FetchedBlockCommitter _committer = new(repository.Backends.Primary, catalog, options.RecordTimeout);
    private int _running;
    private long _bytesRunning;

    // False once a read of the wanted list returned less than a page: every wanted block is queued, until the catalogue grows.
    private bool _wantedBeyondQueue = true;
    private (long Count, DateTimeOffset At)? _wantedCounted;

    // Tells peers of the blocks an add here stores (made at start, with the actor's logger).
    private BlockAnnouncer? _announcer;

    // Fetches that peers' announcements started and that are not done (bounded by MaxAnnouncedPending).
    private int _announcedPending;

    // Read on every tick: one reader for the actor's life, not a connection per tick.
    private CatalogReader? _reader;
    private IDisposable? _peerEvents;

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        _reader = repository.Catalog.CreateReader();
        _announcer = new BlockAnnouncer(options.AnnounceBatch, Context.Logger);
        Context.ScheduleTellOnce(TimeSpan.Zero, new Tick());
        _peerEvents = options.PeerEvents?.Subscribe(Context.ReplyAdapter<PeerEvent>(e => e switch
        {
            PeerConnected connected => new SwarmPeerUp(connected.Session),
            _ => new SwarmPeerDown(e.Device),
        }));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        _peerEvents?.Dispose();
        _peerEvents = null;

        // Those waiting must not wait for ever on an instance that is gone (stopped, or replaced by a restart): the
        // blocks not yet fetched are reported missing, and a reader may ask again.
        foreach (var fetch in _fetches.Values)
        {
            foreach (var waiter in fetch.Waiters)
            {
                waiter.Done(fetch.Id);
            }
        }

        _fetches.Clear();
        _queue.Clear();
        _reader?.Dispose();
        _reader = null;
        _fetcher.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask HandleAsync(ISwarmCommand message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case SwarmPeerUp up:
                _peers[up.Link.Remote] = new SwarmPeer(up.Link);

                // A new peer may hold what no one had: blocks resting after a vain round are worth asking again, now.
                _resting.Clear();
                Refill();
                break;
            case SwarmPeerDown down:
                _peers.Remove(down.Peer);
                Dispatch();
                break;
            case FetchBlocks fetch:
                OnFetchBlocks(fetch);
                break;
            case GetSwarmStatus get:
                get.ReplyTo.Reply(new SwarmStatus(CountWanted(), _running,
                    [.. _peers.Values.Select(p => new SwarmPeerState(p.Link.Remote, p.InFlight, p.Received, p.BytesReceived, p.BadBlocks))]) { FetchAll = options.FetchAll });
                break;
            case Tick:
                Refill();
                Context.ScheduleTellOnce(options.PollInterval, new Tick());
                break;
            case CatalogGrew:
                Refill();
                break;
            case FetchEnded ended:
                OnFetchEnded(ended);
                break;
            case FetchCommitted committed:
                OnFetchCommitted(committed);
                break;
            case BlockStoredHere stored:
                OnBlockStoredHere(stored.Block);
                break;
            case AnnounceNow:
                _announcer!.FlushScheduled = false;
                _announcer.SendTo(Links);
                break;
            case PeerHasBlocks has:
                OnPeerHasBlocks(has);
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }

        return ValueTask.CompletedTask;
    }

    // Running low: queue the next page now rather than at the next poll, so many small blocks flow without pauses. Only
    // while the last page was full: reading the wanted list scans the catalogue's blocks, and doing that as each block
    // ends grows with the catalogue (a pull, a peer or the poll reads it again anyway).
    private void RefillIfLow()
    {
        if (_fetches.Count < options.MaxInFlight * 2 && _wantedBeyondQueue)
        {
            Refill();
        }
        else
        {
            Dispatch();
        }
    }

    // A full replica queues the next wanted blocks (a bounded page); then whatever there is room for starts.
    // Counted afresh whenever nothing is in flight, so a caller waiting for "nothing wanted" never sees a stale 0; while
    // fetches run (nobody can see "converged" then), a count up to WantedCountMaxAge old will do.
    private long CountWanted()
    {
        var now = Context.TimeProvider.GetUtcNow();
        if (_running == 0 || _wantedCounted is not { } counted || now - counted.At >= options.WantedCountMaxAge)
        {
            _wantedCounted = (_reader!.CountWantedBlocks(), now);
        }

        return _wantedCounted.Value.Count;
    }

    private void Refill()
    {
        if (!options.FetchAll)
        {
            Dispatch();
            return;
        }

        var page = options.MaxInFlight * 8;
        var wanted = _reader!.ReadWantedBlocks(page);
        _wantedBeyondQueue = wanted.Count == page;
        var now = Context.TimeProvider.GetUtcNow();
        foreach (var block in wanted)
        {
            if (!_fetches.ContainsKey(block.Id) && (!_resting.TryGetValue(block.Id, out var until) || until <= now))
            {
                _resting.Remove(block.Id);
                Add(new Fetch(block.Id, block.PlainSize));
            }
        }

        Dispatch();
    }

    private void OnFetchBlocks(FetchBlocks request)
    {
        var waiter = new Waiter(request.ReplyTo);
        foreach (var id in request.Blocks.Distinct())
        {
            if (_reader!.GetBlockLocations(id).Count > 0)
            {
                continue;
            }

            if (!_fetches.TryGetValue(id, out var fetch))
            {
                fetch = new Fetch(id, _reader.ReadPlainSize(id) ?? repository.Settings.ChunkerOptions.MaxSize);
                _fetches[id] = fetch;
            }

            fetch.Waiters.Add(waiter);
            waiter.Pending++;
            Requeue(fetch);
        }

        if (waiter.Pending == 0)
        {
            waiter.ReplyTo.Reply(new BlocksFetched([]));
            return;
        }

        Dispatch();
    }

    private void OnBlockStoredHere(BlockAnnouncement block)
    {
        if (_announcer!.Add(block))
        {
            _announcer.SendTo(Links);
        }
        else if (!_announcer.FlushScheduled)
        {
            // A short wait gathers the blocks stored meanwhile into one frame.
            _announcer.FlushScheduled = true;
            Context.ScheduleTellOnce(options.AnnounceDelay, new AnnounceNow());
        }
    }

    private IEnumerable<IPeerLink> Links => _peers.Values.Select(p => p.Link);

    // A full replica fetches announced blocks it lacks now, from the announcing peer first: an add on that peer is
    // still running, and its entries (which would make the blocks wanted) come when it ends. At most
    // MaxAnnouncedPending such fetches wait at a time; blocks beyond are fetched as wanted blocks once named.
    private void OnPeerHasBlocks(PeerHasBlocks has)
    {
        if (!options.FetchAll || !_peers.ContainsKey(has.Peer))
        {
            return;
        }

        foreach (var block in has.Blocks)
        {
            if (_announcedPending >= options.MaxAnnouncedPending)
            {
                break;
            }

            if (_fetches.ContainsKey(block.Id) || _resting.ContainsKey(block.Id) || _reader!.GetBlockLocations(block.Id).Count > 0)
            {
                continue;
            }

            Add(new Fetch(block.Id, block.PlainSize) { AnnouncedBy = has.Peer });
            _announcedPending++;
        }

        Dispatch();
    }

    private void Add(Fetch fetch)
    {
        _fetches[fetch.Id] = fetch;
        Requeue(fetch);
    }

    // Back in the queue (or to its urgent lane, once someone waits for it) when not running.
    private void Requeue(Fetch fetch)
    {
        if (!fetch.Running)
        {
            _queue.Enqueue(fetch, urgent: fetch.Waiters.Count > 0);
        }
    }

    // A run that ended without the block here (or not committed): the fetch waits in the queue again.
    private void Unstart(Fetch fetch)
    {
        fetch.Running = false;
        Requeue(fetch);
    }

    // Starts queued fetches while there is room: each on the least busy peer that has not yet been asked for it, those
    // someone waits for first. Stops once every peer is at its limit: the rest wait for the next free slot, which calls
    // here again (only the queue is walked, never the fetches running or committing).
    private void Dispatch()
    {
        List<Fetch>? givenUp = null;
        foreach (var fetch in _queue.InOrder())
        {
            if (_running >= options.MaxInFlight || (_peers.Count > 0 && _peers.Values.All(p => p.InFlight >= options.PerPeerRequests)))
            {
                break;
            }

            if (_running > 0 && _bytesRunning + fetch.Size > options.MaxBytesInFlight)
            {
                continue;
            }

            var (peer, untried) = PickPeer(fetch);
            if (!untried)
            {
                (givenUp ??= []).Add(fetch);
            }
            else if (peer is not null)
            {
                Start(fetch, peer);
            }
        }

        foreach (var fetch in givenUp ?? [])
        {
            GiveUp(fetch);
        }
    }

    // The best peer not yet asked for the fetch's block that has a free slot (fewest bad blocks, then least busy, then
    // least used), and whether any peer is left to ask at all. An announced block waits for its announcer's slot while
    // that peer is connected and not yet asked: the others most likely lack it.
    private (SwarmPeer? Peer, bool Untried) PickPeer(Fetch fetch)
    {
        if (fetch.AnnouncedBy is { } announcer && !fetch.Tried.Contains(announcer) && _peers.TryGetValue(announcer, out var first))
        {
            return (first.InFlight < options.PerPeerRequests ? first : null, true);
        }

        SwarmPeer? best = null;
        var untried = false;
        foreach (var peer in _peers.Values)
        {
            if (fetch.Tried.Contains(peer.Link.Remote))
            {
                continue;
            }

            untried = true;
            if (peer.InFlight < options.PerPeerRequests
                && (best is null || (peer.BadBlocks, peer.InFlight, peer.Received).CompareTo((best.BadBlocks, best.InFlight, best.Received)) < 0))
            {
                best = peer;
            }
        }

        return (best, untried);
    }

    private void Start(Fetch fetch, SwarmPeer peer)
    {
        _queue.Remove(fetch);
        fetch.Running = true;
        fetch.Tried.Add(peer.Link.Remote);
        peer.InFlight++;
        _running++;
        _bytesRunning += fetch.Size;
        var self = Context.Self;
        var link = peer.Link;
        var id = fetch.Id;
        var fetcher = _fetcher;
        var committer = _committer;
        _ = Task.Run(async () =>
        {
            FetchOutcome outcome;
            try
            {
                outcome = await fetcher.FetchAsync(id, link, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                self.Tell(new FetchEnded(fetch, link.Remote, null, e));
                return;
            }

            // The peer's slot frees as soon as the bytes are here; the commit, shared with other blocks, follows.
            self.Tell(new FetchEnded(fetch, link.Remote, outcome, null));
            if (outcome is FetchOutcome.Stored stored)
            {
                try
                {
                    await committer.CommitAsync(stored.Block).ConfigureAwait(false);
                    self.Tell(new FetchCommitted(fetch, null));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    self.Tell(new FetchCommitted(fetch, e));
                }
            }
        }, CancellationToken.None);
    }

    private void OnFetchEnded(FetchEnded ended)
    {
        var fetch = ended.Fetch;
        if (!fetch.Running || !_fetches.TryGetValue(fetch.Id, out var current) || !ReferenceEquals(current, fetch))
        {
            // Started by an instance before a restart: this one never counted it.
            return;
        }

        _running--;
        _bytesRunning -= fetch.Size;
        var peer = _peers.GetValueOrDefault(ended.Peer);
        if (peer is not null)
        {
            peer.InFlight--;
        }

        switch (ended.Outcome)
        {
            case FetchOutcome.Stored stored:
                // Still running until FetchCommitted, so it is not fetched again meanwhile.
                if (peer is not null)
                {
                    peer.Received++;
                    peer.BytesReceived += stored.Block.StoredSize;
                }

                break;
            case FetchOutcome.Bad bad:
                Unstart(fetch);
                if (peer is not null)
                {
                    peer.BadBlocks++;
                }

                Context.Logger.LogWarning("peer {Peer} sent a bad copy of block {Id}: {Error}; fetching it elsewhere", ended.Peer.ShortId, ended.Id, bad.Error.Message);
                break;
            case FetchOutcome.NotFound:
                Unstart(fetch);
                break;
            default:
                Unstart(fetch);
                Context.Logger.LogDebug("fetching block {Id} from {Peer} failed: {Reason}", ended.Id, ended.Peer.ShortId, ended.Failure?.Message);
                break;
        }

        RefillIfLow();
    }

    private void OnFetchCommitted(FetchCommitted committed)
    {
        var fetch = committed.Fetch;
        if (!_fetches.TryGetValue(fetch.Id, out var current) || !ReferenceEquals(current, fetch))
        {
            // Started by an instance before a restart: this one never counted it.
            return;
        }

        if (committed.Failure is not null)
        {
            // Stored but not durable or not recorded: the block is still wanted; ask another peer (or rest and retry).
            Context.Logger.LogWarning("block {Id} arrived but could not be committed: {Reason}", fetch.Id, committed.Failure.Message);
            Unstart(fetch);
            Dispatch();
            return;
        }

        Forget(fetch);
        if (fetch.AnnouncedBy is { } announcer)
        {
            Context.Logger.LogDebug("block {Id} announced by {Peer} is here", fetch.Id, announcer.ShortId);
        }

        foreach (var waiter in fetch.Waiters)
        {
            waiter.Done(null);
        }

        RefillIfLow();
    }

    // No connected peer had the block: tell those waiting, and let it rest before background fetching tries again.
    private void GiveUp(Fetch fetch)
    {
        Forget(fetch);
        _resting[fetch.Id] = Context.TimeProvider.GetUtcNow() + options.RetryAfter;
        foreach (var waiter in fetch.Waiters)
        {
            waiter.Done(fetch.Id);
        }
    }

    private void Forget(Fetch fetch)
    {
        _fetches.Remove(fetch.Id);
        _queue.Remove(fetch);
        if (fetch.AnnouncedBy is not null)
        {
            _announcedPending--;
        }
    }

    private sealed record Tick : ISwarmCommand;

    private sealed record AnnounceNow : ISwarmCommand;

    private sealed record FetchEnded(Fetch Fetch, DeviceId Peer, FetchOutcome? Outcome, Exception? Failure) : ISwarmCommand
    {
        public BlockId Id => Fetch.Id;
    }

    private sealed record FetchCommitted(Fetch Fetch, Exception? Failure) : ISwarmCommand;

    private sealed class SwarmPeer(IPeerLink link)
    {
        public IPeerLink Link { get; } = link;

        public int InFlight { get; set; }

        public long Received { get; set; }

        public long BytesReceived { get; set; }

        public int BadBlocks { get; set; }
    }

    private sealed class Fetch(BlockId id, int size)
    {
        public BlockId Id { get; } = id;

        // Plaintext bytes, for the in-flight budget.
        public int Size { get; } = size;

        // The peer whose announcement started this fetch (asked first), or null for a wanted or requested block.
        public DeviceId? AnnouncedBy { get; init; }

        public HashSet<DeviceId> Tried { get; } = [];

        public List<Waiter> Waiters { get; } = [];

        public bool Running { get; set; }
    }

    private sealed class Waiter(Runtime.IReplyTo<BlocksFetched> replyTo)
    {
        private readonly List<BlockId> _missing = [];

        public Runtime.IReplyTo<BlocksFetched> ReplyTo { get; } = replyTo;

        public int Pending { get; set; }

        public void Done(BlockId? missing)
        {
            if (missing is { } id)
            {
                _missing.Add(id);
            }

            if (--Pending == 0)
            {
                ReplyTo.Reply(new BlocksFetched(_missing));
            }
        }
    }
}
