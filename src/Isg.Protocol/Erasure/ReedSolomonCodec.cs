using System.Buffers;
using System.Collections.Concurrent;

namespace Isg.Protocol.Erasure;

/// <summary>
/// Systematic Reed-Solomon erasure code over GF(2^8) (polynomial 0x11D) with ISA-L's Cauchy matrix: k data shards
/// give m parity shards, and any k of the k + m rebuild the rest. ISA-L and the managed engine give identical
/// shards. Thread-safe; calls do not allocate once a given erasure pattern has been seen.
/// </summary>
public sealed unsafe class ReedSolomonCodec
{
    // Bounds the decode-plan cache; patterns beyond it are planned per call.
    private const int MaxCachedPlans = 1024;

    // 32 pointers are 256 bytes of stack: enough for every shape the store uses.
    private const int StackPointers = 32;

    private readonly ErasureEngine _engine;
    private readonly byte[] _matrix;
    private readonly CodingTables _parityTables;
    private readonly ConcurrentDictionary<ShardMask, DecodePlan> _plans = new();

    private ReedSolomonCodec(int dataShards, int parityShards, ErasureEngine engine)
    {
        DataShards = dataShards;
        ParityShards = parityShards;
        _engine = engine;
        var total = dataShards + parityShards;
        _matrix = new byte[total * dataShards];
        engine.GenerateMatrix(_matrix, total, dataShards);
        _parityTables = engine.BuildTables(_matrix.AsSpan(dataShards * dataShards), parityShards, dataShards);
    }

    /// <summary>The number of data shards, k.</summary>
    public int DataShards { get; }

    /// <summary>The number of parity shards, m.</summary>
    public int ParityShards { get; }

    /// <summary>The engine in use: <see cref="ErasureImplementation.Isal"/> or <see cref="ErasureImplementation.Managed"/>.</summary>
    public ErasureImplementation Implementation => _engine.Implementation;

    /// <summary>A short name of the engine for reports: "isa-l", or "managed/" and the vector kernel (e.g. "managed/Gfni512").</summary>
    public string EngineName => _engine is ManagedEngine managed ? "managed/" + managed.Kernel : "isa-l";

    /// <summary>True when ISA-L (libisal.so.2) can be loaded.</summary>
    public static bool IsIsalAvailable => IsalNative.IsAvailable;

    /// <summary>The (k + m) × k encoding matrix, row-major: identity over the Cauchy rows.</summary>
    internal ReadOnlySpan<byte> EncodingMatrix => _matrix;

    /// <summary>The managed kernel in use, or null for ISA-L.</summary>
    internal GaloisKernel? Kernel => (_engine as ManagedEngine)?.Kernel;

    /// <summary>
    /// Creates a codec for k = <paramref name="dataShards"/> ≥ 1 and m = <paramref name="parityShards"/> ≥ 0 with
    /// k + m ≤ 255. <see cref="ErasureImplementation.Auto"/> takes ISA-L when it loads; asking for
    /// <see cref="ErasureImplementation.Isal"/> without libisal.so.2 throws <see cref="DllNotFoundException"/>.
    /// </summary>
    public static ReedSolomonCodec Create(int dataShards, int parityShards, ErasureImplementation preference = ErasureImplementation.Auto)
    {
        ValidateCounts(dataShards, parityShards);
        ErasureEngine engine = preference switch
        {
            ErasureImplementation.Auto => IsalNative.IsAvailable ? IsalEngine.Instance : new ManagedEngine(GaloisKernels.Best()),
            ErasureImplementation.Isal => IsalNative.IsAvailable
                ? IsalEngine.Instance
                : throw new DllNotFoundException("ISA-L (libisal.so.2, Debian package libisal2) cannot be loaded."),
            ErasureImplementation.Managed => new ManagedEngine(GaloisKernels.Best()),
            _ => throw new ArgumentOutOfRangeException(nameof(preference), preference, "Unknown erasure implementation."),
        };
        return new ReedSolomonCodec(dataShards, parityShards, engine);
    }

    /// <summary>A managed codec forced onto <paramref name="kernel"/>, which must be supported (for tests and benchmarks).</summary>
    internal static ReedSolomonCodec CreateManaged(int dataShards, int parityShards, GaloisKernel kernel)
    {
        ValidateCounts(dataShards, parityShards);
        if (!GaloisKernels.IsSupported(kernel))
        {
            throw new PlatformNotSupportedException($"The {kernel} kernel is not supported on this CPU.");
        }

        return new ReedSolomonCodec(dataShards, parityShards, new ManagedEngine(kernel));
    }

    /// <summary>
    /// Computes the m parity shards of the k <paramref name="data"/> shards. Every shard has the same length;
    /// parity buffers are overwritten and must not overlap the data.
    /// </summary>
    public void Encode(ReadOnlySpan<ReadOnlyMemory<byte>> data, ReadOnlySpan<Memory<byte>> parity)
    {
        if (data.Length != DataShards)
        {
            throw new ArgumentException($"Expected {DataShards} data shards, got {data.Length}.", nameof(data));
        }

        if (parity.Length != ParityShards)
        {
            throw new ArgumentException($"Expected {ParityShards} parity shards, got {parity.Length}.", nameof(parity));
        }

        var length = data[0].Length;
        foreach (var shard in data)
        {
            RequireLength(shard.Length, length, nameof(data));
        }

        foreach (var shard in parity)
        {
            RequireLength(shard.Length, length, nameof(parity));
        }

        if (ParityShards == 0 || length == 0)
        {
            return;
        }

        Run(new ShardSet(data, parity, DataShards), _parityTables, length);
    }

    /// <summary>
    /// Rebuilds every shard i with <paramref name="present"/>[i] false (data or parity) from k present ones.
    /// <paramref name="shards"/> holds all k + m shards in order, every one the same length (missing ones are the
    /// buffers to fill). Throws <see cref="ErasureException"/> when fewer than k shards are present.
    /// </summary>
    public void Reconstruct(Span<Memory<byte>> shards, ReadOnlySpan<bool> present)
    {
        var total = DataShards + ParityShards;
        if (shards.Length != total)
        {
            throw new ArgumentException($"Expected {total} shards, got {shards.Length}.", nameof(shards));
        }

        if (present.Length != total)
        {
            throw new ArgumentException($"Expected {total} presence flags, got {present.Length}.", nameof(present));
        }

        var count = 0;
        foreach (var flag in present)
        {
            count += flag ? 1 : 0;
        }

        if (count < DataShards)
        {
            throw new ErasureException(count, DataShards);
        }

        var length = shards[0].Length;
        foreach (var shard in shards)
        {
            RequireLength(shard.Length, length, nameof(shards));
        }

        if (count == total || length == 0)
        {
            return;
        }

        var plan = GetPlan(present);
        Run(new ShardSet(shards, plan), plan.Tables, length);
    }

    private static void ValidateCounts(int dataShards, int parityShards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dataShards, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(parityShards);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dataShards + parityShards, 255, nameof(parityShards));
    }

    private static void RequireLength(int actual, int expected, string parameter)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"All shards must have the same length ({expected} bytes); one has {actual}.", parameter);
        }
    }

    // The pointer list lives on the stack for the usual shapes; a GC handle per call would cost more than a small encode.
    private void Run(in ShardSet shards, CodingTables tables, int length)
    {
        var count = tables.K + tables.Rows;
        nint[]? rented = null;
        var pointers = count <= StackPointers ? stackalloc nint[StackPointers] : (rented = ArrayPool<nint>.Shared.Rent(count));
        try
        {
            fixed (nint* all = pointers)
            {
                PinAndApply(shards, 0, count, all, tables, length);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<nint>.Shared.Return(rented);
            }
        }
    }

    // Pins buffer `index` with a fixed statement and recurses for the next, so any number of buffers stay pinned for the
    // engine call without allocating GC handles (pinned locals cost nothing unless a collection runs meanwhile).
    private void PinAndApply(in ShardSet shards, int index, int count, nint* pointers, CodingTables tables, int length)
    {
        if (index == count)
        {
            _engine.Apply(tables, length, (byte**)pointers, (byte**)(pointers + tables.K));
            return;
        }

        fixed (byte* buffer = shards[index])
        {
            pointers[index] = (nint)buffer;
            PinAndApply(shards, index + 1, count, pointers, tables, length);
        }
    }

    private DecodePlan GetPlan(ReadOnlySpan<bool> present)
    {
        var key = ShardMask.From(present);
        if (_plans.TryGetValue(key, out var plan))
        {
            return plan;
        }

        plan = BuildPlan(present);
        if (_plans.Count < MaxCachedPlans)
        {
            _plans.TryAdd(key, plan);
        }

        return plan;
    }

    private DecodePlan BuildPlan(ReadOnlySpan<bool> present)
    {
        var k = DataShards;
        var total = k + ParityShards;
        var sources = new int[k];
        var missing = new List<int>();
        var chosen = 0;
        for (var i = 0; i < total; i++)
        {
            if (!present[i])
            {
                missing.Add(i);
            }
            else if (chosen < k)
            {
                sources[chosen++] = i;
            }
        }

        var submatrix = new byte[k * k];
        for (var r = 0; r < k; r++)
        {
            _matrix.AsSpan(sources[r] * k, k).CopyTo(submatrix.AsSpan(r * k));
        }

        var inverse = new byte[k * k];
        if (!_engine.TryInvert(submatrix, inverse, k))
        {
            throw new ErasureException("The decode matrix is singular; the encoding matrix is not a valid Cauchy matrix.");
        }

        var coefficients = new byte[missing.Count * k];
        for (var t = 0; t < missing.Count; t++)
        {
            var index = missing[t];
            var row = coefficients.AsSpan(t * k, k);
            if (index < k)
            {
                inverse.AsSpan(index * k, k).CopyTo(row);
            }
            else
            {
                GaloisField.MultiplyMatrices(_matrix.AsSpan(index * k, k), inverse, row, 1, k, k);
            }
        }

        return new DecodePlan(sources, [.. missing], _engine.BuildTables(coefficients, missing.Count, k));
    }
}
