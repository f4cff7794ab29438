using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Node.Cli;
using Isg.Node.Cli.Commands;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Isg.Node.Http;

/// <summary>
/// `POST /api/add?path=ABSOLUTE[&amp;as=NAME][&amp;reread=true]` (token): the running node adds a file or directory on its
/// own machine, as `isg add` would, without a process of its own to start (scripts, file watchers, the dashboard).
/// Answers the add's report; a file that failed is listed in it (status 200, like exit code 9), anything that stopped
/// the add is a problem with the status its exit code means.
/// </summary>
public static class AddEndpoints
{
    /// <summary>Maps the route onto <paramref name="app"/>.</summary>
    public static void Map(WebApplication app, StorageNode node)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(node);
        app.MapPost("/api/add", async (string? path, string? @as, bool? reread, CancellationToken cancellationToken) =>
        {
            try
            {
                // Relative to what? The node's working directory is no business of the caller's.
                if (string.IsNullOrEmpty(path) || !Path.IsPathRooted(path))
                {
                    throw new CliException(ExitCode.Usage, "path must be an absolute path on the node's machine");
                }

                var sources = AddCommand.BuildSources([path], @as);
                var report = await node.AddAsync(sources, new IngestOptions(reread ?? false), null, cancellationToken).ConfigureAwait(false);
                return Results.Json(new
                {
                    filesAdded = report.FilesAdded,
                    filesUnchanged = report.FilesUnchanged,
                    filesFailed = report.FilesFailed,
                    bytesRead = report.BytesRead,
                    bytesStored = report.BytesStored,
                    newBlocks = report.NewBlocks,
                    dedupBlocks = report.DedupBlocks,
                    failures = report.Failures,
                });
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var (code, message) = CliErrors.Classify(e);
                return Results.Problem(message, statusCode: StatusOf(code), title: code.ToString());
            }
        });
    }

    private static int StatusOf(ExitCode code) => code switch
    {
        ExitCode.Usage => StatusCodes.Status400BadRequest,
        ExitCode.NotFound => StatusCodes.Status404NotFound,
        ExitCode.StorageError => StatusCodes.Status507InsufficientStorage,
        ExitCode.Interrupted => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
