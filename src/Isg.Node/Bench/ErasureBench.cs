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
    /// Measures encode and reconstruct (the worst case: data shards 0..m-1 lost, rebuilt from shards m..m+k-1) for
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

        var present = new bool[total];
        present.AsSpan(m).Fill(true);
        Verify(codec, stripes[0], present, m);

        var encodeIterations = Calibrate(minimumTrial, iterations => Encode(codec, data, parity, iterations));
        var encodeSeconds = MedianTrial(trials, encodeIterations, iterations => Encode(codec, data, parity, iterations), cancellationToken);
        var reconstructIterations = Calibrate(minimumTrial, iterations => Reconstruct(codec, stripes, present, iterations));
        var reconstructSeconds = MedianTrial(trials, reconstructIterations, iterations => Reconstruct(codec, stripes, present, iterations), cancellationToken);
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
    private static void Verify(ReedSolomonCodec codec, Memory<byte>[] stripe, bool[] present, int lost)
    {
        var originals = new byte[lost][];
        for (var i = 0; i < lost; i++)
        {
            originals[i] = stripe[i].ToArray();
            stripe[i].Span.Clear();
        }

        codec.Reconstruct(stripe, present);
        for (var i = 0; i < lost; i++)
        {
            if (!stripe[i].Span.SequenceEqual(originals[i]))
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

    // Rewrites the lost shards of each stripe in place (with the same bytes), so every stripe stays valid.
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
