using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Isg.TestKit;

/// <summary>
/// A program started by <see cref="NetworkNamespace.Start"/>: stdin closed, stdout lines readable as they arrive and
/// kept, stderr kept. The namespace kills it on dispose if it is still running.
/// </summary>
public sealed partial class NamespaceProcess
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _lines = [];
    private TaskCompletionSource _lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal NamespaceProcess(ProcessStartInfo info)
    {
        Process = new Process { StartInfo = info };
        Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stdoutClosed.TrySetResult();
                Pulse();
                return;
            }

            lock (_stdout)
            {
                _stdout.Append(e.Data).Append('\n');
                _lines.Add(e.Data);
            }

            Pulse();
        };
        Process.ErrorDataReceived += (_, e) =>
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
        Process.Start();
        Process.StandardInput.Close();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    /// <summary>The process (ip netns exec replaces itself with the program: same pid).</summary>
    public Process Process { get; }

    /// <summary>Stdout so far.</summary>
    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// The first stdout line, printed so far or later, that matches (lines are not consumed: waits may overlap); fails
    /// the test after <paramref name="within"/> or when stdout closes first, showing what it printed.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan within)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        using var timeout = new CancellationTokenSource(within);
        while (!timeout.IsCancellationRequested)
        {
            Task arrived;
            lock (_stdout)
            {
                if (_lines.FirstOrDefault(predicate) is { } line)
                {
                    return line;
                }

                if (_stdoutClosed.Task.IsCompleted)
                {
                    break;
                }

                arrived = _lineArrived.Task;
            }

            try
            {
                await arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                break;
            }
        }

        throw new Xunit.Sdk.XunitException($"{Describe()}: no matching line within {within}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    /// <summary>Waits for exit and the end of its output; kills it and fails the test after <paramref name="within"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await Process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(timeout.Token);
            return Process.ExitCode;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{Describe()}: still running after {within}; killed\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
    }

    private void Pulse()
    {
        TaskCompletionSource arrived;
        lock (_stdout)
        {
            arrived = _lineArrived;
            _lineArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrived.TrySetResult();
    }

    /// <summary>Sends a signal (15 = SIGTERM, 2 = SIGINT).</summary>
    public void Signal(int signal)
    {
        if (Kill(Process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({Process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The command line, for messages.</summary>
    public string Describe() => string.Join(' ', Process.StartInfo.ArgumentList.Skip(3));

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
