using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// The real `isg` CLI as a child process (`dotnet isg.dll ARGS`, isg.dll from the test output folder), with its own
/// environment and working directory, stdin closed (redirected: it can never prompt), and stdout and stderr captured.
/// Stdout lines can also be read as they arrive. Disposing kills it if it is still running.
/// </summary>
public sealed class IsgProcess : IDisposable
{
    private readonly Process _process;
    private readonly Stopwatch _clock;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private IsgProcess(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        Args = args;
        var info = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            if (value is not null)
            {
                info.Environment[name] = value;
            }
        }

        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
                _stdoutClosed.TrySetResult();
                return;
            }

            lock (_stdout)
            {
                _stdout.Append(e.Data).Append('\n');
            }

            _lines.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stderrClosed.TrySetResult();
                return;
            }

            lock (_stderr)
            {
                _stderr.Append(e.Data).Append('\n');
            }
        };
        _clock = Stopwatch.StartNew();
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>isg.dll next to the tests (the test project references Isg.Node).</summary>
    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "isg.dll");

    /// <summary>The `dotnet` host running the tests, so the CLI runs on the same runtime.</summary>
    public static string DotnetHost { get; } = FindDotnet();

    /// <summary>The arguments after isg.dll.</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Time since start.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Stdout lines as they arrive; completes when stdout closes.</summary>
    public ChannelReader<string> StdoutLines => _lines.Reader;

    /// <summary>Starts `isg ARGS`.</summary>
    public static IsgProcess Start(IReadOnlyDictionary<string, string?> environment, string workingDirectory, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new IsgProcess(args, environment, workingDirectory);
    }

    /// <summary>Runs `isg ARGS` to the end; kills it and fails the test when it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<IsgResult> RunAsync(IReadOnlyDictionary<string, string?> environment, string workingDirectory,
        TimeSpan timeout, params string[] args)
    {
        using var process = Start(environment, workingDirectory, args);
        return await process.WaitAsync(timeout);
    }

    /// <summary>
    /// Waits for exit and the end of both output streams. When <paramref name="timeout"/> passes first, kills the process
    /// and fails the test with what it printed so far.
    /// </summary>
    public async Task<IsgResult> WaitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            KillHard();
            await _process.WaitForExitAsync(CancellationToken.None);
            throw new Xunit.Sdk.XunitException($"timed out after {timeout.TotalSeconds:0} s; killed\n{Snapshot(-1).Describe()}");
        }

        return Snapshot(_process.ExitCode);
    }

    /// <summary>SIGKILL (cannot be caught: no cleanup runs in the process).</summary>
    public void KillHard()
    {
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. <see cref="Posix.SigInt"/>).</summary>
    public void Signal(int signal) => Posix.Kill(_process.Id, signal);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            KillHard();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private IsgResult Snapshot(int exitCode)
    {
        string stdout, stderr;
        lock (_stdout)
        {
            stdout = _stdout.ToString();
        }

        lock (_stderr)
        {
            stderr = _stderr.ToString();
        }

        return new IsgResult(Args, exitCode, stdout, stderr, _clock.Elapsed);
    }

    private static string FindDotnet()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk) ? fromSdk : "dotnet";
    }
}
