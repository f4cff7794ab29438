using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Protocol.Erasure;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;

namespace Isg.Actors.Striping;

/// <summary>
/// Groups the new blocks of one add into stripes and writes their parity. Shared by the encoder workers of that
/// add (like <see cref="Encoders.DedupIndex"/>) and thread-safe. A worker that sealed a new block calls
/// <see cref="Reserve"/> (which keeps a copy of the sealed bytes and says which backend the block goes to), puts the
/// block there, then calls <see cref="ReportAsync"/>; the report that completes a stripe (k blocks put) computes the
/// m parity shards over the data shards zero-padded to the longest, puts them, and returns the
/// <see cref="SealedStripe"/> for the job to commit. <see cref="CloseAsync"/> ends the partial stripes with k' =
/// their block counts. Without redundancy no copies are kept and blocks go round-robin over the backends.
/// Parity shards are as long as the longest data shard of their stripe, so blocks are grouped by size: one stripe is
/// open per size class (<see cref="SizeClassOf"/>: below 64 KiB, then classes whose bounds grow by
/// <see cref="ClassGrowth"/> up to the chunker's 4 MiB maximum, <see cref="ClassCount"/> in all). A stripe then pads
/// its shards by at most that factor: on random data 10+2 stores about 1.23 × instead of 1.28-1.29 × with one open
/// stripe (docs/benchmarks.md, "Stripe overhead"); more classes would pad less but leave more partial stripes (whose
/// m/k' is larger) at the end of each add.
/// Memory: at most <see cref="ClassCount"/> × (k − 1) copies wait in open stripes (worst case about
/// (k − 1) × 15 MiB of sealed bytes, as the class bounds form a geometric series up to the 4 MiB maximum; typically a
/// few classes around the 1 MiB average are busy); a full stripe keeps its k copies only until its last put reports, and the
/// number of those is bounded by the encoders' chunks in flight.
/// A stripe with a failed data or parity put is dropped (its copies released, its blocks left unprotected, counted
/// in <see cref="FailedStripes"/>).
/// </summary>
public sealed class StripeAssembler : IDisposable
{
    /// <summary>How many size classes (open stripes) there are.</summary>
    public const int ClassCount = 12;

    /// <summary>The factor between the bounds of consecutive size classes.</summary>
    public const double ClassGrowth = 1.5;

    private const int SmallestBound = 64 * 1024;

    // Lower bounds of classes 1..ClassCount-1; class 0 is everything below the first.
    private static readonly int[] s_bounds = Enumerable.Range(0, ClassCount - 1).Select(i => (int)(SmallestBound * Math.Pow(ClassGrowth, i))).ToArray();

    private readonly RedundancyPolicy _policy;
    private readonly BackendSet _backends;
    private readonly RepositoryKey _key;
    private readonly Dictionary<int, ReedSolomonCodec> _codecs = [];
    private readonly Lock _lock = new();
    private readonly HashSet<OpenStripe> _live = [];
    private readonly OpenStripe?[] _open = new OpenStripe?[ClassCount];
    private long _nextStripe;
    private long _roundRobin;
    private int _failedStripes;
    private bool _disposed;

    /// <summary>An assembler for one add writing to <paramref name="backends"/> under <paramref name="policy"/>.</summary>
    public StripeAssembler(RedundancyPolicy policy, BackendSet backends, RepositoryKey key)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentNullException.ThrowIfNull(key);
        _policy = policy;
        _backends = backends;
        _key = key;
    }

    /// <summary>The policy new stripes follow.</summary>
    public RedundancyPolicy Policy => _policy;

    /// <summary>
    /// The size class (0..<see cref="ClassCount"/>-1) of a sealed block of <paramref name="sealedLength"/> bytes: its
    /// new stripe is the open stripe of that class. Monotonic in the length.
    /// </summary>
    public static int SizeClassOf(int sealedLength)
    {
        var size = 0;
        while (size < s_bounds.Length && sealedLength >= s_bounds[size])
        {
            size++;
        }

        return size;
    }

    /// <summary>
    /// The backends the next <paramref name="count"/> blocks of <paramref name="sealedLength"/> bytes will be placed
    /// on by <see cref="Reserve"/>, in order, if nothing else is reserved in between: the free slots of their size
    /// class's open stripe (or of the stripe it would open). <paramref name="count"/> is at most the slots left in
    /// that stripe. Lets a caller that holds several blocks (a repack) give each the slot where a copy already is.
    /// </summary>
    public IReadOnlyList<IStorageBackend> NextBackends(int sealedLength, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var backends = _backends.All;
        lock (_lock)
        {
            if (_policy.IsNone)
            {
                var next = Interlocked.Read(ref _roundRobin);
                return Enumerable.Range(0, count).Select(i => backends[(int)((next + i) % backends.Count)]).ToArray();
            }

            var stripe = _open[SizeClassOf(sealedLength)];
            var sequence = stripe?.Sequence ?? _nextStripe;
            var first = stripe?.Reserved ?? 0;
            ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _policy.DataShards - first);
            return Enumerable.Range(first, count).Select(i => backends[ShardPlacement.BackendFor(sequence, i, backends.Count)]).ToArray();
        }
    }

    /// <summary>Stripes dropped because a put failed: their blocks are stored but unprotected.</summary>
    public int FailedStripes => Volatile.Read(ref _failedStripes);

    /// <summary>
    /// Assigns the next slot to block <paramref name="id"/> and keeps a copy of its <paramref name="sealedBlock"/>
    /// bytes until its stripe is sealed or dropped. Every slot must be reported exactly once.
    /// </summary>
    public StripeSlot Reserve(BlockId id, ReadOnlySpan<byte> sealedBlock)
    {
        var backends = _backends.All;
        if (_policy.IsNone)
        {
            var next = Interlocked.Increment(ref _roundRobin) - 1;
            return new StripeSlot(backends[(int)(next % backends.Count)], null, -1, -1);
        }

        var size = SizeClassOf(sealedBlock.Length);
        // As long as the longest block of its class can be, zeroed: padding for the parity is then already in place.
        var copy = new AlignedMemory(size < s_bounds.Length ? Math.Max(sealedBlock.Length, s_bounds[size]) : sealedBlock.Length);
        sealedBlock.CopyTo(copy.GetSpan());
        lock (_lock)
        {
            if (_disposed)
            {
                ((IDisposable)copy).Dispose();
                ObjectDisposedException.ThrowIf(_disposed, this);
            }

            var stripe = _open[size];
            if (stripe is null)
            {
                stripe = _open[size] = new OpenStripe(_nextStripe++, _policy.DataShards);
                _live.Add(stripe);
            }

            var index = stripe.Reserved++;
            stripe.Ids[index] = id;
            stripe.Copies[index] = copy;
            stripe.Lengths[index] = sealedBlock.Length;
            if (stripe.Reserved == _policy.DataShards)
            {
                stripe.Closed = true;
                _open[size] = null;
            }

            return new StripeSlot(backends[ShardPlacement.BackendFor(stripe.Sequence, index, backends.Count)], stripe, stripe.Sequence, index);
        }
    }

    /// <summary>
    /// Reports that the put of <paramref name="slot"/>'s block succeeded (<paramref name="stored"/>) or failed. Returns
    /// the sealed stripe when this report completed one (its parity is then durable only after the backends' next
    /// flush, like blocks), else null. Never throws for a failed parity put: that stripe is dropped instead.
    /// </summary>
    public async ValueTask<SealedStripe?> ReportAsync(StripeSlot slot, bool stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        if (slot.Stripe is not OpenStripe stripe)
        {
            return null;
        }

        bool seal;
        lock (_lock)
        {
            stripe.Reported++;
            stripe.Failed |= !stored;
            seal = TakeIfComplete(stripe);
        }

        return seal ? await SealAsync(stripe, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>
    /// Closes the open partial stripes, one per size class in use (k' = their block counts, same m). Returns those
    /// sealed now, in stripe order: a stripe with reports still to come is sealed by its last report instead. Call once
    /// every chunk of the add is answered (then all are sealed here or dropped as failed).
    /// </summary>
    public async ValueTask<IReadOnlyList<SealedStripe>> CloseAsync(CancellationToken cancellationToken)
    {
        var ready = new List<OpenStripe>();
        lock (_lock)
        {
            for (var size = 0; size < _open.Length; size++)
            {
                if (_open[size] is not { } stripe)
                {
                    continue;
                }

                _open[size] = null;
                stripe.Closed = true;
                if (TakeIfComplete(stripe))
                {
                    ready.Add(stripe);
                }
            }
        }

        var sealedStripes = new List<SealedStripe>(ready.Count);
        ready.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var next = 0;
        try
        {
            for (; next < ready.Count; next++)
            {
                if (await SealAsync(ready[next], cancellationToken).ConfigureAwait(false) is { } sealedStripe)
                {
                    sealedStripes.Add(sealedStripe);
                }
            }
        }
        finally
        {
            // Taken stripes are no longer released by Dispose: those a cancellation left unsealed are released here.
            for (next++; next < ready.Count; next++)
            {
                ready[next].Release();
            }
        }

        return sealedStripes;
    }

    /// <summary>Releases the copies of every stripe not sealed yet.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var stripe in _live)
            {
                stripe.Release();
            }

            _live.Clear();
            Array.Clear(_open);
        }
    }

    // Under the lock: true when the caller now owns the stripe's sealing (or, for a failed one, its release).
    private bool TakeIfComplete(OpenStripe stripe)
    {
        if (!stripe.Closed || stripe.Reported != stripe.Reserved || stripe.Taken || !_live.Contains(stripe))
        {
            return false;
        }

        stripe.Taken = true;
        _live.Remove(stripe);
        return true;
    }

    private async ValueTask<SealedStripe?> SealAsync(OpenStripe stripe, CancellationToken cancellationToken)
    {
        try
        {
            if (stripe.Failed)
            {
                Interlocked.Increment(ref _failedStripes);
                return null;
            }

            var k = stripe.Reserved;
            var m = _policy.ParityShards;
            var shardSize = 0;
            for (var i = 0; i < k; i++)
            {
                shardSize = Math.Max(shardSize, stripe.Lengths[i]);
            }

            var data = new ReadOnlyMemory<byte>[k];
            for (var i = 0; i < k; i++)
            {
                data[i] = Pad(stripe, i, shardSize);
            }

            // Cache-line aligned parity: the codecs store markedly faster there (docs/benchmarks.md, erasure).
            var parityBuffers = new AlignedMemory[m];
            var parity = new Memory<byte>[m];
            for (var j = 0; j < m; j++)
            {
                parityBuffers[j] = new AlignedMemory(shardSize);
                parity[j] = parityBuffers[j].Memory;
            }

            try
            {
                CodecFor(k).Encode(data, parity);
                var backends = _backends.All;
                var shards = new ParityShard[m];
                var puts = new Task[m];
                for (var j = 0; j < m; j++)
                {
                    var hash = BlockId.FromHash(Hash256.Compute(parity[j].Span));
                    var backend = backends[ShardPlacement.BackendFor(stripe.Sequence, k + j, backends.Count)];
                    var name = _key.ObjectName(hash);
                    shards[j] = new ParityShard(hash, k + j, backend.Name, name);
                    puts[j] = backend.PutAsync(name, parity[j], cancellationToken);
                }

                try
                {
                    await Task.WhenAll(puts).ConfigureAwait(false);
                }
                catch (BackendException)
                {
                    Interlocked.Increment(ref _failedStripes);
                    return null;
                }

                return new SealedStripe(k, m, shardSize, stripe.Ids.AsSpan(0, k).ToArray(), shards);
            }
            finally
            {
                foreach (var buffer in parityBuffers)
                {
                    ((IDisposable)buffer).Dispose();
                }
            }
        }
        finally
        {
            stripe.Release();
        }
    }

    // The copy of data shard i, zero-padded to shardSize: in place when its buffer is long enough (its zeroed tail is
    // the padding), else in a longer one (only in the last, unbounded class).
    private static ReadOnlyMemory<byte> Pad(OpenStripe stripe, int i, int shardSize)
    {
        var copy = stripe.Copies[i]!;
        var length = stripe.Lengths[i];
        if (copy.Length < shardSize)
        {
            var longer = new AlignedMemory(shardSize);
            copy.GetSpan()[..length].CopyTo(longer.GetSpan());
            ((IDisposable)copy).Dispose();
            stripe.Copies[i] = copy = longer;
        }

        return copy.Memory[..shardSize];
    }

    private ReedSolomonCodec CodecFor(int k)
    {
        lock (_codecs)
        {
            if (!_codecs.TryGetValue(k, out var codec))
            {
                codec = ReedSolomonCodec.Create(k, _policy.ParityShards, ErasureImplementation.Auto);
                _codecs.Add(k, codec);
            }

            return codec;
        }
    }

    private sealed class OpenStripe(long sequence, int capacity)
    {
        public long Sequence { get; } = sequence;

        public BlockId[] Ids { get; } = new BlockId[capacity];

        // Native and freed as soon as the stripe is sealed or dropped: pooled arrays round each copy up to a power of
        // two and stay in the pool after the add; these are also cache-line aligned, where the codecs run fastest.
        public AlignedMemory?[] Copies { get; } = new AlignedMemory?[capacity];

        public int[] Lengths { get; } = new int[capacity];

        public int Reserved { get; set; }

        public int Reported { get; set; }

        public bool Closed { get; set; }

        public bool Failed { get; set; }

        public bool Taken { get; set; }

        public void Release()
        {
            for (var i = 0; i < Copies.Length; i++)
            {
                if (Interlocked.Exchange(ref Copies[i], null) is IDisposable copy)
                {
                    copy.Dispose();
                }
            }
        }
    }
}
