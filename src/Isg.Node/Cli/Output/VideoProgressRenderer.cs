using Isg.Actors.Video;
using Spectre.Console;

namespace Isg.Node.Cli.Output;

/// <summary>
/// Shows the progress of an encode or decode: a Spectre.Console bar on a terminal, and a plain line at most every
/// two seconds when stdout is a pipe; nothing under -q.
/// </summary>
public static class VideoProgressRenderer
{
    /// <summary>Runs <paramref name="work"/>, rendering the progress it reports under <paramref name="title"/>.</summary>
    public static async Task<T> RunAsync<T>(ConsoleOutput output, string title, Func<IProgress<VideoProgress>?, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(work);
        if (output.Verbosity == Verbosity.Quiet)
        {
            return await work(null).ConfigureAwait(false);
        }

        if (!output.IsTerminal)
        {
            return await work(new LineProgress(output, title)).ConfigureAwait(false);
        }

        return await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progressContext =>
            {
                var task = progressContext.AddTask(title, autoStart: true, maxValue: 1);
                return await work(new BarProgress(task)).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    private sealed class BarProgress(ProgressTask task) : IProgress<VideoProgress>
    {
        public void Report(VideoProgress value)
        {
            task.MaxValue = Math.Max(1, value.TotalBytes);
            task.Value = Math.Min(value.Bytes, task.MaxValue);
        }
    }

    private sealed class LineProgress(ConsoleOutput output, string title) : IProgress<VideoProgress>
    {
        private long _last = Environment.TickCount64;

        public void Report(VideoProgress value)
        {
            var now = Environment.TickCount64;
            if (now - _last < 2000)
            {
                return;
            }

            _last = now;
            var percent = value.TotalBytes == 0 ? 100 : value.Bytes * 100 / value.TotalBytes;
            output.Progress($"{title}: {percent}% ({ByteSize.Format(value.Bytes)} of {ByteSize.Format(value.TotalBytes)}), {value.Frames} frames");
        }
    }
}
