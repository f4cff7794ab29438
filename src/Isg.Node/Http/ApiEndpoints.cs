using System.Net;
using System.Reflection;
using Isg.Actors.GarbageCollection;
using Isg.Actors.Hosting;
using Isg.Actors.Repositories;
using Isg.Node.Json;
using Isg.Protocol.Paths;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Isg.Node.Http;

/// <summary>
/// The node's HTTP API: `/health`, `/api/stats`, `/api/files`, `/api/health` (scrub findings and redundancy),
/// `/api/health/events?since=N` (healer events after sequence N), `POST /api/gc` and the dashboard at `/`. Reads from loopback
/// need no token (only the local user can reach them); anything else needs the bearer token.
/// </summary>
public static class ApiEndpoints
{
    /// <summary>Most entries one `/api/files` page returns.</summary>
    public const int MaxPageSize = 10_000;

    /// <summary>Maps the endpoints and the token check onto <paramref name="app"/>.</summary>
    public static void Map(WebApplication app, StorageNode node, ApiToken token, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(token);
        var started = DateTimeOffset.UtcNow;

        app.Use(async (http, next) =>
        {
            var isRead = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
            var remote = http.Connection.RemoteIpAddress;
            var fromLoopback = remote is not null && IPAddress.IsLoopback(remote);
            if (!(isRead && fromLoopback) && !token.Matches(http.Request.Headers.Authorization))
            {
                logger.LogWarning("rejected {Method} {Path} from {Remote}: missing or wrong API token",
                    http.Request.Method, http.Request.Path, remote);
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await http.Response.WriteAsJsonAsync(new { error = "unauthorized", detail = "send Authorization: Bearer <token>" }).ConfigureAwait(false);
                return;
            }

            await next(http).ConfigureAwait(false);
        });

        app.MapGet("/health", () => Results.Json(new
        {
            status = "ok",
            repository = node.Repository.Id,
            startedAt = started,
            uptimeSeconds = (long)(DateTimeOffset.UtcNow - started).TotalSeconds,
            deadLetters = node.System.DeadLetters.Count,
        }));

        app.MapGet("/api/stats", () =>
        {
            using var reader = node.Repository.Catalog.CreateReader();
            using var snapshot = reader.BeginSnapshot();
            return Results.Json(CatalogJson.Stats(reader.GetStats(), reader.GetStorageUse(), node.Repository.Id));
        });

        app.MapGet("/api/files", (string? prefix, int? limit, int? offset) =>
        {
            if (!CatalogPath.TryNormalize(prefix ?? string.Empty, out var normalized, out var error))
            {
                return Results.Problem(error.Message, statusCode: StatusCodes.Status400BadRequest, title: error.Kind.ToString());
            }

            var take = Math.Clamp(limit ?? 1000, 1, MaxPageSize);
            var skip = Math.Max(offset ?? 0, 0);
            using var reader = node.Repository.Catalog.CreateReader();
            var page = reader.ListFiles(normalized).Skip(skip).Take(take + 1).Select(CatalogJson.File).ToList();
            var more = page.Count > take;
            return Results.Json(new { prefix = normalized, offset = skip, more, files = more ? page[..take] : page });
        });

        // Token required (not a read). Never waits for running adds: the caller retries on 409.
        app.MapPost("/api/gc", async (bool? dryRun, CancellationToken cancellationToken) =>
        {
            try
            {
                var report = await node.CollectGarbageAsync(new GcOptions(dryRun ?? false, TimeSpan.Zero), null, cancellationToken).ConfigureAwait(false);
                return Results.Json(GcJson.Report(report));
            }
            catch (RepositoryException e) when (e.Kind == RepositoryErrorKind.Busy)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Busy");
            }
        });

        app.MapGet("/api/health", () => Results.Json(HealthJson.Summary(node.GetHealth())));

        app.MapGet("/api/health/events", (long? since) =>
        {
            var events = node.HealthEvents.Since(Math.Max(since ?? 0, 0));
            return Results.Json(new { last = node.HealthEvents.LastSequence, events = events.Select(HealthJson.Event) });
        });

        app.MapGet("/", () => Results.Content(Dashboard.Value, "text/html; charset=utf-8"));
    }

    private static readonly Lazy<string> Dashboard = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Isg.Node.wwwroot.index.html")
            ?? throw new InvalidOperationException("dashboard resource missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
