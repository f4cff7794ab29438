using System.Buffers;
using System.Text.Json;
using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Actors.Transfers;
using Isg.Node.Cli;
using Isg.Node.Cli.Commands;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Isg.Node.Http;

/// <summary>
/// `POST /api/add?path=ABSOLUTE[&amp;as=NAME][&amp;reread=true]` (token): the running node adds files or directories on
/// its own machine, as `isg add` would, without a process of its own to start (scripts, file watchers, the dashboard,
/// and `isg add` itself while a node runs). `path` may repeat; `as`, when given, names each path in order. Answers
/// the add's report; a file that failed is listed in it (status 200, like exit code 9), anything that stopped the add
/// is a problem with the status its exit code means. With <c>Accept: application/x-ndjson</c> the answer is a stream
/// of <see cref="AddStreamLine"/>s: progress while the add runs, then the report or the problem.
/// </summary>
public static class AddEndpoints
{
    // Byte counts come once per block; a few lines a second are all a progress bar can show.
    private static readonly TimeSpan s_bytesInterval = TimeSpan.FromMilliseconds(200);

    // Reports that wait for a slow client at most (about 150 bytes each), past which acknowledgements are counted.
    private const int WaitingReports = 4096;

    /// <summary>Maps the route onto <paramref name="app"/>.</summary>
    public static void Map(WebApplication app, StorageNode node)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(node);
        app.MapPost("/api/add", async (HttpContext http, [FromQuery] string[]? path, [FromQuery] string[]? @as, bool? reread, CancellationToken cancellationToken) =>
        {
            IReadOnlyList<IngestSource> sources;
            try
            {
                sources = Sources(path ?? [], @as ?? []);
            }
            catch (CliException e)
            {
                return Problem(e);
            }

            var options = new IngestOptions(reread ?? false);
            if (http.Request.Headers.Accept.Any(a => a?.Contains(AddStreamLine.MediaType, StringComparison.OrdinalIgnoreCase) == true))
            {
                await StreamAsync(http.Response, node, sources, options, cancellationToken).ConfigureAwait(false);
                return Results.Empty;
            }

            try
            {
                var report = await node.AddAsync(sources, options, null, cancellationToken).ConfigureAwait(false);
                return Results.Json(report, AddStreamLine.Json);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Problem(e);
            }
        });
    }

    // Relative to what? The node's working directory is no business of the caller's: every path is absolute.
    private static List<IngestSource> Sources(string[] paths, string[] names)
    {
        if (paths.Length == 0 || paths.Any(p => string.IsNullOrEmpty(p) || !Path.IsPathRooted(p)))
        {
            throw new CliException(ExitCode.Usage, "path must be an absolute path on the node's machine");
        }

        if (names.Length != 0 && names.Length != paths.Length)
        {
            throw new CliException(ExitCode.Usage, $"{names.Length} 'as' names for {paths.Length} paths: give one per path, or none");
        }

        var sources = new List<IngestSource>(paths.Length);
        for (var i = 0; i < paths.Length; i++)
        {
            sources.AddRange(AddCommand.BuildSources([paths[i]], names.Length == 0 ? null : names[i]));
        }

        return sources;
    }

    // The add runs while its progress is written out; whatever ends it is the last line. A caller that hangs up cancels
    // the add (the request's token), which keeps what it acknowledged, as an interrupted `isg add` does. One that
    // reads slowly does not slow the add, nor pile up its reports (ProgressBuffer).
    private static async Task StreamAsync(HttpResponse response, StorageNode node, IReadOnlyList<IngestSource> sources, IngestOptions options,
        CancellationToken cancellationToken)
    {
        response.ContentType = AddStreamLine.MediaType;
        var events = new ProgressBuffer(WaitingReports);
        var add = RunAsync(node, sources, options, new ThrottledProgress(events, s_bytesInterval), events, cancellationToken);
        await foreach (var progress in events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await WriteLineAsync(response, new AddStreamLine(Progress: progress), flush: !events.HasWaiting, cancellationToken).ConfigureAwait(false);
        }

        AddStreamLine last;
        try
        {
            last = new AddStreamLine(Report: await add.ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            var (code, message) = CliErrors.Classify(e);
            last = new AddStreamLine(Problem: new AddStreamProblem(code.ToString(), message));
        }

        await WriteLineAsync(response, last, flush: true, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IngestReport> RunAsync(StorageNode node, IReadOnlyList<IngestSource> sources, IngestOptions options,
        IProgress<TransferProgress> progress, ProgressBuffer events, CancellationToken cancellationToken)
    {
        try
        {
            return await node.AddAsync(sources, options, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            events.Complete();
        }
    }

    private static async Task WriteLineAsync(HttpResponse response, AddStreamLine line, bool flush, CancellationToken cancellationToken)
    {
        // One write per line (Kestrel allows no synchronous writes, and a line is small).
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, line, AddStreamLine.Json);
        }

        buffer.Write("\n"u8);
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        if (flush)
        {
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static IResult Problem(Exception e)
    {
        var (code, message) = CliErrors.Classify(e);
        return Results.Problem(message, statusCode: StatusOf(code), title: code.ToString());
    }

    private static int StatusOf(ExitCode code) => code switch
    {
        ExitCode.Usage => StatusCodes.Status400BadRequest,
        ExitCode.NotFound => StatusCodes.Status404NotFound,
        ExitCode.StorageError => StatusCodes.Status507InsufficientStorage,
        ExitCode.Interrupted => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    // Reported synchronously from the add's actor: every file event passes, byte counts at most one per interval.
    private sealed class ThrottledProgress(IProgress<TransferProgress> events, TimeSpan interval) : IProgress<TransferProgress>
    {
        private long _nextBytes;

        public void Report(TransferProgress value)
        {
            if (value.Event == TransferEvent.Bytes)
            {
                var now = Environment.TickCount64;
                if (now < _nextBytes)
                {
                    return;
                }

                _nextBytes = now + (long)interval.TotalMilliseconds;
            }

            events.Report(value);
        }
    }
}
