using System.Text.Json;
using System.Text.Json.Serialization;
using Isg.Actors.Ingest;
using Isg.Actors.Transfers;

namespace Isg.Node.Http;

/// <summary>
/// One line of `POST /api/add` answered as NDJSON (asked for with <c>Accept: application/x-ndjson</c>): exactly one of a
/// progress report of the running add, its final report (the last line), or the problem that stopped it (the last
/// line; the status was already sent as 200 when the add began). `isg add` reads these when it hands its add to the
/// node running on the repository.
/// </summary>
internal sealed record AddStreamLine(TransferProgress? Progress = null, IngestReport? Report = null, AddStreamProblem? Problem = null)
{
    /// <summary>The media type of the stream.</summary>
    public const string MediaType = "application/x-ndjson";

    /// <summary>camelCase names and event names, nulls left out; the same for the report as the plain JSON answer.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}

/// <summary>What stopped an add after its stream began: the exit code's name (as a problem's title) and the message.</summary>
internal sealed record AddStreamProblem(string Title, string Detail);
