using System.ComponentModel;
using System.Diagnostics;

namespace Isg.Actors.Video;

/// <summary>
/// One run of ffmpeg or ffprobe with stdin, stdout and stderr redirected; stderr is drained continuously into a bounded
/// tail so the tool never blocks on a full pipe. Disposing kills a tool still running and waits for it, so no process
/// outlives its owner. Not thread-safe except <see cref="Kill"/>, which may be called from a cancellation callback.
/// </summary>
internal sealed class ToolProcess : IAsyncDisposable
{
    /// <summary>Stderr bytes kept for error messages.</summary>
    public const int StderrTailBytes = 8 * 1024;

    private readonly Process _process;
    private readonly string _toolPath;
    private readonly StderrTail _stderr = new(StderrTailBytes);
    private readonly Task _stderrPump;
    private int _disposed;

    private ToolProcess(Process process, string toolPath)
    {
        _process = process;
        _toolPath = toolPath;
        Stream stderr = process.StandardError.BaseStream;
        _stderrPump = Task.Run(() => PumpStderrAsync(stderr, _stderr));
    }

    /// <summary>The tool's stdin (closed already unless the tool was started with <c>keepStdin</c>).</summary>
    public Stream Input => _process.StandardInput.BaseStream;

    /// <summary>The tool's stdout as bytes.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>The end of what the tool wrote to stderr so far.</summary>
    public string StderrTail => _stderr.ToString();

    /// <summary>The operating system's process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has exited (and has been reaped).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The file name of the tool, for messages.</summary>
    public string ToolName => Path.GetFileName(_toolPath);

    /// <summary>
    /// Starts <paramref name="toolPath"/> with each argument passed verbatim (no shell). Stdin stays open only when
    /// <paramref name="keepStdin"/>; otherwise it is closed at once so the tool never waits on it.
    /// Throws <see cref="VideoToolException"/> (<see cref="VideoToolErrorKind.NotFound"/>) when the tool cannot be started.
    /// </summary>
    public static ToolProcess Start(string toolPath, IEnumerable<string> arguments, bool keepStdin)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolPath);
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(toolPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new VideoToolException(
                VideoToolErrorKind.NotFound,
                $"Cannot start '{toolPath}' ({ex.Message}): {FfmpegTools.InstallHint}.",
                stderrTail: string.Empty,
                exitCode: null,
                ex);
        }

        if (!keepStdin)
        {
            process.StandardInput.Close();
        }

        return new ToolProcess(process, toolPath);
    }

    /// <summary>Closes the tool's stdin (end of input) through its writer, so disposing the process later has nothing to flush.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Kills the tool and anything it started; a no-op once it has exited. Safe from any thread.</summary>
    public void Kill()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>
    /// Waits for the tool to exit and for its stderr to drain, then returns the exit code. Cancellation kills the
    /// tool, waits for it to go, and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAndWaitAsync().ConfigureAwait(false);
            throw;
        }

        await _stderrPump.ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Kills the tool and waits until it is gone (reaped) and its stderr is drained.</summary>
    public async Task KillAndWaitAsync()
    {
        Kill();
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
    }

    /// <summary>Blocks until the tool exits and its stderr is drained; returns the exit code.</summary>
    public int WaitForExit()
    {
        _process.WaitForExit();
        _stderrPump.GetAwaiter().GetResult();
        return _process.ExitCode;
    }

    /// <summary>A <see cref="VideoToolErrorKind.Failed"/> (or other) error quoting the exit code and the stderr tail.</summary>
    public VideoToolException Error(VideoToolErrorKind kind, string what, int? exitCode, Exception? innerException = null)
    {
        string tail = StderrTail;
        string code = exitCode is int value ? $" (exit code {value})" : string.Empty;
        string message = tail.Length == 0
            ? $"{ToolName} {what}{code}; it wrote nothing to stderr."
            : $"{ToolName} {what}{code}: {tail}";
        return new VideoToolException(kind, message, tail, exitCode, innerException);
    }

    /// <summary>Kills the tool if it is still running, waits for it, and releases the process handle.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        await KillAndWaitAsync().ConfigureAwait(false);
        Volatile.Write(ref _disposed, 1);
        _process.Dispose();
    }

    private static async Task PumpStderrAsync(Stream stderr, StderrTail tail)
    {
        byte[] buffer = new byte[4096];
        int read;
        while ((read = await stderr.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            tail.Append(buffer.AsSpan(0, read));
        }
    }
}
