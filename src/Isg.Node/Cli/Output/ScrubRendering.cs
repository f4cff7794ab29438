using Isg.Actors.Healing;
using Isg.Actors.Transfers;

namespace Isg.Node.Cli.Output;

/// <summary>How verify and repair show a scrub: progress while it runs, then findings and a summary.</summary>
public static class ScrubRendering
{
    /// <summary>Runs <paramref name="work"/> with progress (none under --json, whose stdout is the report).</summary>
    public static Task<ScrubReport> RunAsync(ConsoleOutput output, bool json, string title, string doneVerb,
        Func<IProgress<TransferProgress>?, Task<ScrubReport>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return json ? work(null) : TransferRenderer.RunAsync(output, title, doneVerb, progress => work(progress));
    }

    /// <summary>Prints bad, repaired and lost shards (errors on stderr), the affected files and a summary line.</summary>
    public static void Print(ConsoleOutput output, ScrubReport report, string verb)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        foreach (var bad in report.Bad)
        {
            output.Error($"{(bad.Kind == HealthEventKind.ShardMissing ? "missing" : "corrupt")} shard {bad.Address}: {bad.Message} (block {bad.Block}; files: {Files(bad.Files)})");
        }

        foreach (var repaired in report.Repaired)
        {
            output.Line($"repaired {repaired.Address}: {repaired.Message}");
        }

        foreach (var lost in report.Lost)
        {
            output.Error($"lost: block {lost.Block}: {lost.Message}; affected files: {Files(lost.Files)}");
        }

        var affected = report.Bad.SelectMany(b => b.Files).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var file in affected)
        {
            output.Data($"affected {file}");
        }

        output.Line(FormattableString.Invariant(
            $"{verb} {report.Shards:N0} shards ({ByteSize.Format(report.Bytes)}) in {report.Duration.TotalSeconds:0.00} s: {report.Bad.Count} bad, {report.Repaired.Count} repaired, {report.Lost.Count} lost{(report.Unreachable > 0 ? $", {report.Unreachable} unreadable" : string.Empty)}{(report.Protected > 0 ? $", {report.Protected} unprotected blocks put into stripes" : string.Empty)}{(report.LeafHashesRewritten > 0 ? $", {report.LeafHashesRewritten} catalogue leaf hashes rewritten" : string.Empty)}"));
    }

    private static string Files(IReadOnlyList<string> files) => files.Count == 0 ? "none" : string.Join(", ", files);
}
