using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Actors.Transfers;
using Isg.Node.Cli;
using Isg.Node.Cli.Output;

namespace Isg.Node.Http;

/// <summary>
/// An `isg add` handed to the node running on the repository (`POST /api/add`, answered as a stream of
/// <see cref="AddStreamLine"/>s). The node already holds the repository open and its peers connected, so the add
/// needs no passphrase and no second opening of the catalogue, and peers fetch each block as the node stores it,
/// where an add in a process of its own is only seen once it commits. Dispose it.
/// </summary>
internal sealed class NodeAdd : IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;

    private NodeAdd(HttpClient http, HttpResponseMessage response) => (_http, _response) = (http, response);

    /// <summary>
    /// Starts <paramref name="sources"/> (absolute local paths) on the node running on <paramref name="layout"/>; null
    /// when the add is for this process after all: no node runs there, it does not answer, or it cannot see the paths
    /// (another machine or container; said on <paramref name="output"/>). Throws <see cref="CliException"/> when the node
    /// refuses the add for a reason an add here would meet too.
    /// </summary>
    public static async Task<NodeAdd?> TryStartAsync(RepositoryLayout layout, IReadOnlyList<IngestSource> sources, IngestOptions options,
        ConsoleOutput output, CancellationToken cancellationToken)
    {
        HttpClient? http;
        try
        {
            http = NodeApiClient.TryCreate(layout, Timeout.InfiniteTimeSpan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Warn($"cannot tell whether a node runs on the repository, or read its API token ({e.Message}); adding in this process");
            return null;
        }

        if (http is null)
        {
            return null;
        }

        var started = false;
        try
        {
            var query = new StringBuilder("api/add?");
            foreach (var source in sources)
            {
                query.Append("path=").Append(Uri.EscapeDataString(source.LocalPath))
                    .Append("&as=").Append(Uri.EscapeDataString(source.CatalogPath)).Append('&');
            }

            query.Append("reread=").Append(options.Reread ? "true" : "false");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(query.ToString(), UriKind.Relative));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(AddStreamLine.MediaType));
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                output.Warn($"the running node did not answer ({e.Message}); adding in this process");
                return null;
            }

            if (response.IsSuccessStatusCode)
            {
                started = true;
                return new NodeAdd(http, response);
            }

            using (response)
            {
                var problem = await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    // This process found every path (BuildSources checked): the node looks at another file system.
                    output.Detail($"the running node cannot see what is added here ({problem.Detail}); adding in this process");
                    return null;
                }

                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    output.Warn($"the running node refused this process's token (HTTP {status}); adding in this process");
                    return null;
                }

                if (!IsExitCode(problem.Title))
                {
                    // Not one of this API's problems: an older node that does not know the request, or a proxy.
                    output.Warn($"the running node could not take the add (HTTP {status}); adding in this process");
                    return null;
                }

                throw new CliException(ExitCodeOf(problem.Title), problem.Detail);
            }
        }
        finally
        {
            if (!started)
            {
                http.Dispose();
            }
        }
    }

    /// <summary>Reports the add's progress into <paramref name="progress"/> and returns its report once the node ends it.</summary>
    public async Task<IngestReport> ReadAsync(IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
            {
                var line = Parse(text);
                if (line.Progress is { } report)
                {
                    progress.Report(report);
                }
                else if (line.Report is { } done)
                {
                    return done;
                }
                else if (line.Problem is { } problem)
                {
                    throw new CliException(ExitCodeOf(problem.Title), problem.Detail);
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new CliException(ExitCode.Failure, $"the running node stopped answering during the add ({e.Message}); what it acknowledged is kept, run the add again for the rest");
        }

        throw new CliException(ExitCode.Failure, "the running node ended the add without a report; run the add again to finish it");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _response.Dispose();
        _http.Dispose();
    }

    private static AddStreamLine Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<AddStreamLine>(text, AddStreamLine.Json)
                ?? throw new CliException(ExitCode.Failure, "the running node sent an empty line in the add's stream");
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCode.Failure, $"the running node sent a line the add's stream does not allow ({e.Message})");
        }
    }

    // The problem document an error answer carries (its title and detail, as AddStreamProblem names them); anything else
    // reads as a problem without a title.
    private static async Task<AddStreamProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        AddStreamProblem? problem = null;
        try
        {
            problem = JsonSerializer.Deserialize<AddStreamProblem>(body, AddStreamLine.Json);
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): no title, so not one of this API's problems.
        }

        return new AddStreamProblem(problem?.Title ?? string.Empty, problem?.Detail ?? $"HTTP {(int)response.StatusCode}");
    }

    private static bool IsExitCode(string title) => Enum.GetNames<ExitCode>().Contains(title, StringComparer.Ordinal);

    private static ExitCode ExitCodeOf(string title) => IsExitCode(title) ? Enum.Parse<ExitCode>(title) : ExitCode.Failure;
}
