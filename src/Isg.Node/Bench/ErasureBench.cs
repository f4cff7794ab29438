using System.Diagnostics;
using Isg.Protocol.Erasure;

namespace Isg.Node.Bench;

/// <summary>
/// Times <see cref="ReedSolomonCodec"/> the way ISA-L's C harness (../shared/anchors/rs-isal.c) times ISA-L, so the
/// two can stand side by side: the iteration count doubles until one pass lasts the minimum trial time (the warm-up),
/// then that many iterations run once per trial and the median trial gives the rate. Single-threaded.
/// </summary>
public static class ErasureBench
{
    /// <summary>Data bytes the stream mode rotates through, as in the C harness.</summary>
    public const long StreamPoolBytes = 256L << 20;

    /// <summary>
    /// Measures encode and reconstruct (the worst case: data shards 0..m-1 lost, rebuilt from shards m..m+k-1 into m
    /// buffers of their own, as the C harness does) for
    /// <paramref name="benchCase"/>; first checks on one stripe that the rebuilt shards equal the originals.
    /// Throws <see cref="DllNotFoundException"/> for ISA-L when libisal.so.2 does not load.
    /// </summary>
    public static ErasureBenchResult Run(ErasureBenchCase benchCase, int trials, TimeSpan minimumTrial, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(benchCase);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(benchCase.ShardBytes, 1, nameof(benchCase));
        var codec = ReedSolomonCodec.Create(benchCase.DataShards, benchCase.ParityShards, benchCase.Implementation);
        int k = benchCase.DataShards, m = benchCase.ParityShards, total = k + m;
        var length = benchCase.ShardBytes;
        var stripeCount = benchCase.Mode == ErasureBenchMode.Hot
            ? 1
            : (int)Math.Max(1, StreamPoolBytes / ((long)k * length));
        using var pool = ShardPool.Create(benchCase.Buffers, stripeCount, total, length);
        var stripes = new Memory<byte>[stripeCount][];
        var data = new ReadOnlyMemory<byte>[stripeCount][];
        var parity = new Memory<byte>[stripeCount][];
        var random = new Random(20261121);
        for (var s = 0; s < stripeCount; s++)
        {
            stripes[s] = new Memory<byte>[total];
            for (var i = 0; i < total; i++)
            {
                stripes[s][i] = pool.Shard(s, i);
            }

            data[s] = new ReadOnlyMemory<byte>[k];
            for (var i = 0; i < k; i++)
            {
                random.NextBytes(stripes[s][i].Span);
                data[s][i] = stripes[s][i];
            }

            parity[s] = stripes[s][k..];
            codec.Encode(data[s], parity[s]);
        }

        // As in the C harness, rebuilt shards go to m buffers of their own (they stay in cache) and the stripes are
        // only read.
        using var rebuilt = ShardPool.Create(benchCase.Buffers, 1, m, length);
        var rebuild = new Memory<byte>[stripeCount][];
        for (var s = 0; s < stripeCount; s++)
        {
            rebuild[s] = [.. stripes[s]];
            for (var i = 0; i < m; i++)
            {
                rebuild[s][i] = rebuilt.Shard(0, i);
            }
        }

        var present = new bool[total];
        present.AsSpan(m).Fill(true);
        Verify(codec, stripes[0], rebuild[0], present, m);

        var encodeIterations = Calibrate(minimumTrial, iterations => Encode(codec, data, parity, iterations));
        var encodeSeconds = MedianTrial(trials, encodeIterations, iterations => Encode(codec, data, parity, iterations), cancellationToken);
        var reconstructIterations = Calibrate(minimumTrial, iterations => Reconstruct(codec, rebuild, present, iterations));
        var reconstructSeconds = MedianTrial(trials, reconstructIterations, iterations => Reconstruct(codec, rebuild, present, iterations), cancellationToken);
        var payload = (double)k * length;
        return new ErasureBenchResult(
            benchCase,
            codec.EngineName,
            stripeCount,
            payload * encodeIterations / encodeSeconds / 1e9,
            payload * reconstructIterations / reconstructSeconds / 1e9,
            encodeIterations,
            reconstructIterations);
    }

    // The rebuilt shards must equal what was lost, or the figures mean nothing.
    private static void Verify(ReedSolomonCodec codec, Memory<byte>[] stripe, Memory<byte>[] rebuild, bool[] present, int lost)
    {
        codec.Reconstruct(rebuild, present);
        for (var i = 0; i < lost; i++)
        {
            if (!rebuild[i].Span.SequenceEqual(stripe[i].Span))
            {
                throw new InvalidOperationException($"The {codec.EngineName} engine rebuilt shard {i} wrongly.");
            }
        }
    }

    private static void Encode(ReedSolomonCodec codec, ReadOnlyMemory<byte>[][] data, Memory<byte>[][] parity, long iterations)
    {
        var stripes = data.Length;
        for (long i = 0; i < iterations; i++)
        {
            var s = (int)(i % stripes);
            codec.Encode(data[s], parity[s]);
        }
    }

    // Rebuilds the lost shards of each stripe into the same m buffers.
    private static void Reconstruct(ReedSolomonCodec codec, Memory<byte>[][] stripes, bool[] present, long iterations)
    {
        for (long i = 0; i < iterations; i++)
        {
            codec.Reconstruct(stripes[(int)(i % stripes.Length)], present);
        }
    }

    private static long Calibrate(TimeSpan minimumTrial, Action<long> body)
    {
        long iterations = 1;
        while (Time(body, iterations) < minimumTrial.TotalSeconds)
        {
            iterations *= 2;
        }

        return iterations;
    }

    private static double MedianTrial(int trials, long iterations, Action<long> body, CancellationToken cancellationToken)
    {
        var seconds = new double[trials];
        for (var t = 0; t < trials; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            seconds[t] = Time(body, iterations);
        }

        Array.Sort(seconds);
        return trials % 2 == 1 ? seconds[trials / 2] : (seconds[(trials / 2) - 1] + seconds[trials / 2]) / 2;
    }

    private static double Time(Action<long> body, long iterations)
    {
        var started = Stopwatch.GetTimestamp();
        body(iterations);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
