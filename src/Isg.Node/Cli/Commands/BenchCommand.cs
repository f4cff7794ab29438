using System.CommandLine;
using System.Globalization;
using Isg.Node.Bench;
using Isg.Protocol.Erasure;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg bench erasure`: Reed-Solomon encode and reconstruct GB/s, ISA-L and managed (bench/erasure.sh puts them beside the anchors).</summary>
public static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var shapes = new Option<string>("--shapes") { Description = "k+m shapes, comma-separated", DefaultValueFactory = _ => "10+4,4+2" };
        var sizes = new Option<string>("--sizes") { Description = "Shard sizes (bytes, or with K/M), comma-separated", DefaultValueFactory = _ => "64K,1M" };
        var implementations = new Option<string>("--implementations")
        {
            Description = "Engines: isal, managed (comma-separated)",
            DefaultValueFactory = _ => "isal,managed",
        };
        var modes = new Option<string>("--modes")
        {
            Description = "hot (one stripe, in cache) and/or stream (stripes rotating through 256 MiB)",
            DefaultValueFactory = _ => "hot,stream",
        };
        var buffers = new Option<string>("--buffers")
        {
            Description = "aligned (64-byte aligned native memory) and/or array (GC byte[] per shard)",
            DefaultValueFactory = _ => "aligned",
        };
        var trials = new Option<int>("--trials") { Description = "Timed trials per figure (the median is reported)", DefaultValueFactory = _ => 5 };
        var minSeconds = new Option<double>("--min-seconds") { Description = "Minimum length of one trial", DefaultValueFactory = _ => 0.2 };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var erasure = new Command("erasure", "Reed-Solomon encode and reconstruct throughput, single-threaded")
        {
            shapes, sizes, implementations, modes, buffers, trials, minSeconds, json,
        };
        erasure.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            var cases = Cases(
                ParseList(parse.GetValue(implementations)!, "--implementations", ParseImplementation),
                ParseList(parse.GetValue(shapes)!, "--shapes", ParseShape),
                ParseList(parse.GetValue(sizes)!, "--sizes", ParseSize),
                ParseList(parse.GetValue(modes)!, "--modes", text => ParseEnum<ErasureBenchMode>(text, "--modes")),
                ParseList(parse.GetValue(buffers)!, "--buffers", text => ParseEnum<ErasureBenchBuffers>(text, "--buffers")));
            var trialCount = parse.GetValue(trials);
            var minimum = parse.GetValue(minSeconds);
            if (trialCount < 1 || !(minimum > 0))
            {
                throw new CliException(ExitCode.Usage, "--trials must be at least 1 and --min-seconds above 0");
            }

            return Task.FromResult(Run(context, cases, trialCount, TimeSpan.FromSeconds(minimum), parse.GetValue(json), cancellationToken));
        }));
        return new Command("bench", "Measure Isg's building blocks on this machine") { erasure, BackendBenchCommand.Create(options) };
    }

    private static ExitCode Run(CommandContext context, List<ErasureBenchCase> cases, int trials, TimeSpan minimum, bool json, CancellationToken cancellationToken)
    {
        if (!ReedSolomonCodec.IsIsalAvailable && cases.Any(c => c.Implementation == ErasureImplementation.Isal))
        {
            context.Output.Warn("ISA-L (libisal.so.2, Debian package libisal2) does not load: its figures are skipped");
            cases.RemoveAll(c => c.Implementation == ErasureImplementation.Isal);
        }

        if (!json)
        {
            context.Output.Data("k+m    shard     engine             buffers  mode     encode GB/s  reconstruct GB/s");
        }

        var results = new List<ErasureBenchResult>();
        foreach (var benchCase in cases)
        {
            var result = ErasureBench.Run(benchCase, trials, minimum, cancellationToken);
            results.Add(result);
            if (!json)
            {
                context.Output.Data(string.Create(CultureInfo.InvariantCulture,
                    $"{benchCase.DataShards + "+" + benchCase.ParityShards,-6} {FormatSize(benchCase.ShardBytes),-9} {result.Engine,-18} {Name(benchCase.Buffers),-8} {Name(benchCase.Mode),-8} {result.EncodeGigabytesPerSecond,11:F2}  {result.ReconstructGigabytesPerSecond,16:F2}"));
            }
        }

        if (json)
        {
            context.Output.Json(new
            {
                processors = Environment.ProcessorCount,
                isalAvailable = ReedSolomonCodec.IsIsalAvailable,
                trials,
                minimumTrialSeconds = minimum.TotalSeconds,
                unit = "GB/s of payload: k × shard bytes per second, 10^9",
                results = results.Select(r => new
                {
                    implementation = Name(r.Case.Implementation),
                    engine = r.Engine,
                    dataShards = r.Case.DataShards,
                    parityShards = r.Case.ParityShards,
                    shardBytes = r.Case.ShardBytes,
                    mode = Name(r.Case.Mode),
                    buffers = Name(r.Case.Buffers),
                    stripes = r.Stripes,
                    encodeGBps = Math.Round(r.EncodeGigabytesPerSecond, 3),
                    reconstructGBps = Math.Round(r.ReconstructGigabytesPerSecond, 3),
                    encodeIterations = r.EncodeIterations,
                    reconstructIterations = r.ReconstructIterations,
                }),
            });
        }

        return ExitCode.Ok;
    }

    private static List<ErasureBenchCase> Cases(
        List<ErasureImplementation> implementations,
        List<(int K, int M)> shapes,
        List<int> sizes,
        List<ErasureBenchMode> modes,
        List<ErasureBenchBuffers> buffers) =>
        [
            .. from shape in shapes
               from size in sizes
               from buffer in buffers
               from mode in modes
               from implementation in implementations
               select new ErasureBenchCase(implementation, shape.K, shape.M, size, mode, buffer),
        ];

    private static string Name<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string FormatSize(int bytes) =>
        bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : bytes % 1024 == 0 ? $"{bytes >> 10} KiB" : $"{bytes} B";

    private static List<T> ParseList<T>(string text, string option, Func<string, T> parse)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
        {
            throw new CliException(ExitCode.Usage, $"{option} needs at least one value");
        }

        return [.. items.Select(parse)];
    }

    private static ErasureImplementation ParseImplementation(string text) => text.ToLowerInvariant() switch
    {
        "isal" or "isa-l" => ErasureImplementation.Isal,
        "managed" => ErasureImplementation.Managed,
        _ => throw new CliException(ExitCode.Usage, $"--implementations: unknown engine '{text}' (isal, managed)"),
    };

    private static T ParseEnum<T>(string text, string option)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _)
            ? value
            : throw new CliException(ExitCode.Usage, $"{option}: unknown value '{text}' ({string.Join(", ", Enum.GetNames<T>()).ToLowerInvariant()})");

    private static (int K, int M) ParseShape(string text)
    {
        var plus = text.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0
            && int.TryParse(text.AsSpan(0, plus), NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            && int.TryParse(text.AsSpan(plus + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            && k >= 1 && m >= 1 && k + m <= 255)
        {
            return (k, m);
        }

        throw new CliException(ExitCode.Usage, $"--shapes: '{text}' is not k+m with k, m ≥ 1 and k + m ≤ 255");
    }

    private static int ParseSize(string text)
    {
        var shift = char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 10,
            'M' => 20,
            _ => 0,
        };
        var digits = shift == 0 ? text.AsSpan() : text.AsSpan(0, text.Length - 1);
        if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && value >= 1 && (value << shift) <= 256L << 20)
        {
            return (int)(value << shift);
        }

        throw new CliException(ExitCode.Usage, $"--sizes: '{text}' is not a size from 1 byte to 256M");
    }
}
