using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Ipfs;
using Isg.Actors.Backends.S3;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg bench backend ipfs|s3 --endpoint URL`: upload then download MB/s of N random objects of S bytes through one
/// backend (no repository, no decorators), C at a time; bench/backends.sh puts it beside curl against the same server.
/// </summary>
public static class BackendBenchCommand
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Create(GlobalOptions options)
    {
        var type = new Argument<string>("type") { Description = "Backend type: ipfs or s3" };
        var endpoint = new Option<string>("--endpoint") { Description = "IPFS RPC API or S3 endpoint URL", Required = true };
        var bucket = new Option<string>("--bucket") { Description = "S3 bucket", DefaultValueFactory = _ => "isg-bench" };
        var accessKey = new Option<string>("--access-key") { Description = "S3 access key", DefaultValueFactory = _ => "S3RVER" };
        var secretKey = new Option<string>("--secret-key") { Description = "S3 secret key (read ISG_BENCH_SECRET_KEY when unset)" };
        var objects = new Option<int>("--objects") { Description = "Objects to put and get", DefaultValueFactory = _ => 64 };
        var size = new Option<int>("--size") { Description = "Bytes per object", DefaultValueFactory = _ => 4 * 1024 * 1024 };
        var concurrency = new Option<int>("--concurrency") { Description = "Calls in flight", DefaultValueFactory = _ => 4 };
        var command = new Command("backend", "Upload and download throughput through one platform backend")
        {
            type, endpoint, bucket, accessKey, secretKey, objects, size, concurrency,
        };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var count = parse.GetValue(objects);
            var bytes = parse.GetValue(size);
            var parallel = parse.GetValue(concurrency);
            if (count < 1 || bytes < 1 || parallel < 1 || !Uri.TryCreate(parse.GetValue(endpoint), UriKind.Absolute, out var url))
            {
                throw new CliException(ExitCode.Usage, "--objects, --size and --concurrency must be positive and --endpoint an absolute URL");
            }

            var state = Path.Combine(Path.GetTempPath(), "isg-bench-backend-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var backend = Open(parse.GetValue(type)!, url, state, parse.GetValue(bucket)!, parse.GetValue(accessKey)!,
                    parse.GetValue(secretKey) ?? Environment.GetEnvironmentVariable("ISG_BENCH_SECRET_KEY") ?? "S3RVER");
                var data = new byte[count][];
                for (var i = 0; i < count; i++)
                {
                    data[i] = new byte[bytes];
                    Random.Shared.NextBytes(data[i]);
                }

                var names = Enumerable.Range(0, count).Select(_ => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "00000000").ToArray();
                var parallelism = new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken };
                var clock = Stopwatch.StartNew();
                await Parallel.ForEachAsync(Enumerable.Range(0, count), parallelism,
                    async (i, token) => await backend.PutAsync(names[i], data[i], token).ConfigureAwait(false)).ConfigureAwait(false);
                var upload = clock.Elapsed;
                clock.Restart();
                await Parallel.ForEachAsync(Enumerable.Range(0, count), parallelism, async (i, token) =>
                {
                    using var owner = await backend.GetAsync(names[i], token).ConfigureAwait(false);
                    if (!owner.Memory.Span.SequenceEqual(data[i]))
                    {
                        throw new CliException(ExitCode.Failure, $"object {i} came back different");
                    }
                }).ConfigureAwait(false);
                var download = clock.Elapsed;
                await Parallel.ForEachAsync(names, parallelism, async (name, token) => await backend.DeleteAsync(name, token).ConfigureAwait(false)).ConfigureAwait(false);

                (backend as IDisposable)?.Dispose();
                var megabytes = (double)count * bytes / 1_000_000;
                context.Output.Data(string.Create(CultureInfo.InvariantCulture,
                    $"upload {megabytes / upload.TotalSeconds:F1} MB/s ({upload.TotalSeconds:F2} s)  download {megabytes / download.TotalSeconds:F1} MB/s ({download.TotalSeconds:F2} s)  {count} x {bytes} bytes, {parallel} in flight"));
                return ExitCode.Ok;
            }
            finally
            {
                if (Directory.Exists(state))
                {
                    Directory.Delete(state, recursive: true);
                }
            }
        }));
        return command;
    }

    private static IStorageBackend Open(string type, Uri endpoint, string state, string bucket, string accessKey, string secretKey) => type switch
    {
        BackendFactory.IpfsType => new IpfsBackend(new IpfsBackendOptions(endpoint, state) { Name = "bench-ipfs" }),
        BackendFactory.S3Type => new S3Backend(new S3BackendOptions(endpoint, bucket) { Name = "bench-s3", AccessKey = accessKey, SecretKey = secretKey }),
        _ => throw new CliException(ExitCode.Usage, $"bench backend takes ipfs or s3, not '{type}'"),
    };
}
