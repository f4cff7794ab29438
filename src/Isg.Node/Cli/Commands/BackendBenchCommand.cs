using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Ipfs;
using Isg.Actors.Backends.Resilience;
using Isg.Actors.Backends.S3;
using Isg.Actors.Backends.Video;
using Isg.Actors.Backends.YouTube;
using Isg.Actors.Catalog;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg bench backend TYPE --endpoint URL [--credential K=V]... [--setting K=V]... [--bare]`: upload then download MB/s
/// of N random objects of S bytes through one platform backend (no repository), C at a time; bench/backends.sh puts it
/// beside curl against the same server. By default through the node's stack for the type (retries, circuit breaker,
/// metrics; not the rate limit, which models a platform's quota, nor the upload queue, which only spools); --bare
/// measures the backend alone. For youtube the objects are video files given to the YouTube store (resumable upload,
/// direct download), without packing or encoding (bench/video.sh measures those).
/// </summary>
public static class BackendBenchCommand
{
    private static readonly string[] s_types = [BackendFactory.IpfsType, BackendFactory.S3Type, BackendFactory.DiscordType, BackendFactory.TelegramType, BackendFactory.YouTubeType];

    /// <summary>Builds the subcommand.</summary>
    public static Command Create(GlobalOptions options)
    {
        var type = new Argument<string>("type") { Description = "Backend type: " + string.Join(", ", s_types) };
        var endpoint = new Option<string>("--endpoint") { Description = "The platform's API root (IPFS RPC API, S3 endpoint, Discord/Telegram/YouTube API base)", Required = true };
        var bucket = new Option<string>("--bucket") { Description = "S3 bucket", DefaultValueFactory = _ => "isg-bench" };
        var accessKey = new Option<string>("--access-key") { Description = "S3 access key", DefaultValueFactory = _ => "S3RVER" };
        var secretKey = new Option<string>("--secret-key") { Description = "S3 secret key (read ISG_BENCH_SECRET_KEY when unset)" };
        var credentials = new Option<string[]>("--credential") { Description = "A credential of the type, NAME=VALUE (e.g. webhook=URL, botToken=T, refreshToken=T)", AllowMultipleArgumentsPerToken = false };
        var settings = new Option<string[]>("--setting") { Description = "A setting of the type, NAME=VALUE (e.g. chatId=ID, downloadUrl=URL)", AllowMultipleArgumentsPerToken = false };
        var bare = new Option<bool>("--bare") { Description = "The backend alone, without the node's decorators" };
        var objects = new Option<int>("--objects") { Description = "Objects to put and get", DefaultValueFactory = _ => 64 };
        var size = new Option<int>("--size") { Description = "Bytes per object", DefaultValueFactory = _ => 4 * 1024 * 1024 };
        var concurrency = new Option<int>("--concurrency") { Description = "Calls in flight", DefaultValueFactory = _ => 4 };
        var command = new Command("backend", "Upload and download throughput through one platform backend")
        {
            type, endpoint, bucket, accessKey, secretKey, credentials, settings, bare, objects, size, concurrency,
        };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var count = parse.GetValue(objects);
            var bytes = parse.GetValue(size);
            var parallel = parse.GetValue(concurrency);
            var kind = parse.GetValue(type)!;
            if (count < 1 || bytes < 1 || parallel < 1 || !Uri.TryCreate(parse.GetValue(endpoint), UriKind.Absolute, out var url))
            {
                throw new CliException(ExitCode.Usage, "--objects, --size and --concurrency must be positive and --endpoint an absolute URL");
            }

            if (!s_types.Contains(kind))
            {
                throw new CliException(ExitCode.Usage, $"bench backend takes {string.Join(", ", s_types)}, not '{kind}'");
            }

            var secrets = Pairs(parse.GetValue(credentials), "--credential");
            var given = Pairs(parse.GetValue(settings), "--setting");
            if (kind == BackendFactory.S3Type)
            {
                secrets.TryAdd("accessKey", parse.GetValue(accessKey)!);
                secrets.TryAdd("secretKey", parse.GetValue(secretKey) ?? Environment.GetEnvironmentVariable("ISG_BENCH_SECRET_KEY") ?? "S3RVER");
                given.TryAdd("bucket", parse.GetValue(bucket)!);
            }

            var root = Path.Combine(Path.GetTempPath(), "isg-bench-backend-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(root);
            try
            {
                var record = Record(kind, url, given, secrets);
                var data = new byte[count][];
                for (var i = 0; i < count; i++)
                {
                    data[i] = new byte[bytes];
                    Random.Shared.NextBytes(data[i]);
                }

                var parallelism = new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken };
                var (upload, download) = kind == BackendFactory.YouTubeType
                    ? await YouTubeAsync(record, root, data, parallelism).ConfigureAwait(false)
                    : await ObjectsAsync(Open(record, root, parse.GetValue(bare)), data, parallelism).ConfigureAwait(false);
                var megabytes = (double)count * bytes / 1_000_000;
                context.Output.Data(string.Create(CultureInfo.InvariantCulture,
                    $"upload {megabytes / upload.TotalSeconds:F1} MB/s ({upload.TotalSeconds:F2} s)  download {megabytes / download.TotalSeconds:F1} MB/s ({download.TotalSeconds:F2} s)  {count} x {bytes} bytes, {parallel} in flight{(parse.GetValue(bare) ? ", bare" : string.Empty)}"));
                return ExitCode.Ok;
            }
            catch (ArgumentException e)
            {
                throw new CliException(ExitCode.Usage, e.Message, e);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }));
        return command;
    }

    private static Dictionary<string, string> Pairs(string[]? values, string option)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException(ExitCode.Usage, $"{option} takes NAME=VALUE, not '{value}'");
            }

            pairs[value[..equals]] = value[(equals + 1)..];
        }

        return pairs;
    }

    // The record `backend add` would write, the endpoint as the type's API setting: the factory turns it into options.
    private static BackendRecord Record(string kind, Uri endpoint, Dictionary<string, string> settings, Dictionary<string, string> secrets)
    {
        settings[kind switch
        {
            BackendFactory.IpfsType => "api",
            BackendFactory.S3Type => "endpoint",
            BackendFactory.YouTubeType => "apiBaseUrl",
            _ => "apiBase",
        }] = endpoint.AbsoluteUri;
        if (kind == BackendFactory.YouTubeType)
        {
            // A benchmark uploads more than a day's worth of videos, one chunk per object.
            settings.TryAdd("dailyQuota", long.MaxValue.ToString(CultureInfo.InvariantCulture));
            settings.TryAdd("downloadMode", "direct");
        }

        return new BackendRecord("bench-" + kind, kind, System.Text.Json.JsonSerializer.Serialize(settings), DateTimeOffset.UtcNow) { Secrets = secrets };
    }

    private static IStorageBackend Open(BackendRecord record, string root, bool bare)
    {
        IStorageBackend backend = record.Type switch
        {
            BackendFactory.IpfsType => new IpfsBackend(BackendFactory.IpfsOptions(record, root)),
            BackendFactory.S3Type => new S3Backend(BackendFactory.S3Options(record)),
            BackendFactory.DiscordType => new Actors.Backends.Discord.DiscordBackend(BackendFactory.DiscordOptions(record, root)),
            _ => new Actors.Backends.Telegram.TelegramBackend(BackendFactory.TelegramOptions(record, root)),
        };
        return bare
            ? backend
            : BackendStack.Wrap(backend, BackendStackOptions.ForType(record.Type) with { RateLimit = RateLimitOptions.Unlimited }, TimeProvider.System,
                NullLogger.Instance);
    }

    private static async Task<(TimeSpan Upload, TimeSpan Download)> ObjectsAsync(IStorageBackend backend, byte[][] data, ParallelOptions parallelism)
    {
        try
        {
            var names = data.Select(_ => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "00000000").ToArray();
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, data.Length), parallelism,
                async (i, token) => await backend.PutAsync(names[i], data[i], token).ConfigureAwait(false)).ConfigureAwait(false);
            var upload = clock.Elapsed;
            clock.Restart();
            await Parallel.ForEachAsync(Enumerable.Range(0, data.Length), parallelism, async (i, token) =>
            {
                using var owner = await backend.GetAsync(names[i], token).ConfigureAwait(false);
                if (!owner.Memory.Span.SequenceEqual(data[i]))
                {
                    throw new CliException(ExitCode.Failure, $"object {i} came back different");
                }
            }).ConfigureAwait(false);
            var download = clock.Elapsed;
            await Parallel.ForEachAsync(names, parallelism, async (name, token) => await backend.DeleteAsync(name, token).ConfigureAwait(false)).ConfigureAwait(false);
            return (upload, download);
        }
        finally
        {
            (backend as IDisposable)?.Dispose();
        }
    }

    // Video files through the YouTube store: StoreAsync (session + chunked PUTs) and FetchAsync (direct download to a file).
    private static async Task<(TimeSpan Upload, TimeSpan Download)> YouTubeAsync(BackendRecord record, string root, byte[][] data, ParallelOptions parallelism)
    {
        using var backend = YouTubeBackend.Open(BackendFactory.YouTubeOptions(record, root), NullLoggerFactory.Instance);
        var store = (YouTubeVideoStore)backend.Store;
        var inbox = Directory.CreateDirectory(Path.Combine(root, "bench-in")).FullName;
        var outbox = Directory.CreateDirectory(Path.Combine(root, "bench-out")).FullName;
        var ids = data.Select(_ => VideoPackIds.New()).ToArray();
        for (var i = 0; i < data.Length; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(inbox, ids[i] + ".mkv"), data[i], parallelism.CancellationToken).ConfigureAwait(false);
        }

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, data.Length), parallelism,
            async (i, token) => await store.StoreAsync(ids[i], Path.Combine(inbox, ids[i] + ".mkv"), token).ConfigureAwait(false)).ConfigureAwait(false);
        var upload = clock.Elapsed;
        clock.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, data.Length), parallelism,
            async (i, token) => await store.FetchAsync(ids[i], Path.Combine(outbox, ids[i] + ".mkv"), token).ConfigureAwait(false)).ConfigureAwait(false);
        var download = clock.Elapsed;
        for (var i = 0; i < data.Length; i++)
        {
            if (!(await File.ReadAllBytesAsync(Path.Combine(outbox, ids[i] + ".mkv"), parallelism.CancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(data[i]))
            {
                throw new CliException(ExitCode.Failure, $"video {i} came back different");
            }
        }

        return (upload, download);
    }
}
