using Isg.Actors.GarbageCollection;

namespace Isg.Node.Json;

/// <summary>The JSON shape of a garbage collection report, shared by `isg gc --json` and `POST /api/gc`.</summary>
public static class GcJson
{
    /// <summary>The report as camelCase JSON.</summary>
    public static object Report(GcReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            dryRun = report.DryRun,
            blocksDeleted = report.BlocksDeleted,
            bytesDeleted = report.BytesDeleted,
            bytesWritten = report.BytesWritten,
            bytesReclaimed = report.BytesReclaimed,
            stripesRemoved = report.StripesRemoved,
            stripesRepacked = report.StripesRepacked,
            orphansDeleted = report.OrphansDeleted,
            orphansDeferred = report.OrphansDeferred,
            kept = new
            {
                blocksInLiveStripes = report.BlocksKeptInLiveStripes,
                blocksReferencedAgain = report.BlocksReferencedAgain,
            },
            deleteFailures = report.DeleteFailures,
            backends = report.Backends.Select(b => new
            {
                name = b.Backend,
                objectsDeleted = b.ObjectsDeleted,
                bytesDeleted = b.BytesDeleted,
                orphansDeleted = b.OrphansDeleted,
                orphansDeferred = b.OrphansDeferred,
                deleteFailures = b.DeleteFailures,
            }).ToList(),
        };
    }
}
