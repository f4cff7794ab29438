using System.Globalization;
using Isg.Actors.Healing;

namespace Isg.Node.Json;

/// <summary>The JSON shapes of health data, shared by `isg health|verify|repair --json` and the HTTP API.</summary>
public static class HealthJson
{
    /// <summary>The health summary.</summary>
    public static object Summary(HealthSummary health)
    {
        ArgumentNullException.ThrowIfNull(health);
        return new
        {
            state = health.State.ToString().ToLowerInvariant(),
            stripes = new { total = health.Stripes, healthy = health.StripesHealthy, degraded = health.StripesDegraded, lost = health.StripesLost },
            blocks = new { total = health.Blocks, unprotected = health.UnprotectedBlocks, degraded = health.BlocksDegraded, lost = health.BlocksLost },
            backends = health.Backends.Select(b => new { name = b.Name, shards = b.Shards, bytes = b.Bytes, badShards = b.BadShards }),
            faults = health.Faults.Select(f => new
            {
                backend = f.Address.Backend,
                @object = f.Address.ObjectName,
                kind = f.Kind.ToString().ToLowerInvariant(),
                foundAt = f.FoundAt.ToString("O", CultureInfo.InvariantCulture),
                message = f.Message,
            }),
            lastPass = health.LastPass is { } last
                ? new
                {
                    startedAt = last.StartedAt.ToString("O", CultureInfo.InvariantCulture),
                    finishedAt = last.FinishedAt.ToString("O", CultureInfo.InvariantCulture),
                    durationSeconds = Math.Round(last.Duration.TotalSeconds, 3),
                    shards = last.Shards,
                    bytes = last.Bytes,
                    bad = last.Bad,
                    repaired = last.Repaired,
                    lost = last.Lost,
                }
                : null,
        };
    }

    /// <summary>A scrub report (verify or repair).</summary>
    public static object Report(ScrubReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            healthy = report.Healthy,
            startedAt = report.StartedAt.ToString("O", CultureInfo.InvariantCulture),
            durationSeconds = Math.Round(report.Duration.TotalSeconds, 3),
            shards = report.Shards,
            bytes = report.Bytes,
            unreachable = report.Unreachable,
            bad = report.Bad.Select(Finding),
            repaired = report.Repaired.Select(Finding),
            lost = report.Lost.Select(Finding),
            lostFiles = report.LostFiles,
            protectedBlocks = report.Protected,
            leafHashesRewritten = report.LeafHashesRewritten,
        };
    }

    /// <summary>One health event.</summary>
    public static object Event(HealthEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new
        {
            sequence = e.Sequence,
            time = e.Time.ToString("O", CultureInfo.InvariantCulture),
            kind = e.Kind.ToString(),
            backend = e.Backend,
            @object = e.ObjectName,
            block = e.Block,
            stripe = e.Stripe,
            files = e.Files,
            message = e.Message,
        };
    }

    private static object Finding(ScrubFinding f) => new
    {
        kind = f.Kind.ToString(),
        backend = f.Address.Backend,
        @object = f.Address.ObjectName,
        block = f.Block.ToHex(),
        message = f.Message,
        files = f.Files,
    };
}
