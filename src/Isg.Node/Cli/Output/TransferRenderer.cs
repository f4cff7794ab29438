using Isg.Actors.Transfers;
using Spectre.Console;

namespace Isg.Node.Cli.Output;

/// <summary>
/// Shows the progress of an add or get: a Spectre.Console progress bar on a terminal, and plain lines when
/// stdout is a pipe (Spectre prints nothing there): one line per acknowledged file, and a summary line at
/// most once a second.
/// </summary>
public static class TransferRenderer
{
    /// <summary>Runs <paramref name="work"/>, rendering the progress it reports. <paramref name="doneVerb"/> is e.g. "added".</summary>
    public static async Task<T> RunAsync<T>(ConsoleOutput output, string title, string doneVerb,
        Func<IProgress<TransferProgress>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(work);
        if (output.Verbosity == Verbosity.Quiet)
        {
            return await work(new LineProgress(output, doneVerb, quiet: true)).ConfigureAwait(false);
        }

        if (!output.IsTerminal)
        {
            return await work(new LineProgress(output, doneVerb, quiet: false)).ConfigureAwait(false);
        }

        return await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progressContext =>
            {
                var task = progressContext.AddTask(title, autoStart: true, maxValue: 1);
                return await work(new BarProgress(task, output)).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>Reports into a Spectre progress task; failures go to stderr at once.</summary>
    private sealed class BarProgress(ProgressTask task, ConsoleOutput output) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            if (value.TotalBytes > 0)
            {
                task.MaxValue = value.TotalBytes;
            }

            task.Value = Math.Min(value.Bytes, task.MaxValue);
            task.Description = $"{value.Files}/{value.TotalFiles} files";
            if (value.Event == TransferEvent.FileFailed)
            {
                output.Error($"{value.Path}: {value.Detail}");
            }
            else if (value.Event == TransferEvent.Completed)
            {
                task.Value = task.MaxValue;
            }
        }
    }

    /// <summary>Line-based progress for pipes and CI logs. Synchronous, so lines keep their order.</summary>
    private sealed class LineProgress(ConsoleOutput output, string doneVerb, bool quiet) : IProgress<TransferProgress>
    {
        private long _lastSummary = Environment.TickCount64;

        public void Report(TransferProgress value)
        {
            switch (value.Event)
            {
                case TransferEvent.FileDone when !quiet:
                    output.Line($"{doneVerb} {value.Path}");
                    break;
                case TransferEvent.FileUnchanged:
                    output.Detail($"unchanged {value.Path}");
                    break;
                case TransferEvent.FileFailed:
                    // A file that failed makes the exit code non-zero: an error, shown even under -q.
                    output.Error($"{value.Path}: {value.Detail}");
                    break;
                case TransferEvent.Omitted when !quiet:
                    output.Line($"({value.Omitted} files not listed: this output fell behind the node; {value.Files}/{value.TotalFiles} files so far)");
                    break;
                case TransferEvent.Bytes when !quiet && Environment.TickCount64 - _lastSummary >= 1000:
                    _lastSummary = Environment.TickCount64;
                    var percent = value.TotalBytes > 0 ? 100.0 * value.Bytes / value.TotalBytes : 100.0;
                    output.Line(System.FormattableString.Invariant(
                        $"progress {ByteSize.Format(value.Bytes)} / {ByteSize.Format(value.TotalBytes)} ({percent:0}%), {value.Files}/{value.TotalFiles} files"));
                    break;
                default:
                    break;
            }
        }
    }
}
