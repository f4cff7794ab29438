using System.Diagnostics;

namespace Isg.Actors.Tests.Backends.TestServers;

/// <summary>
/// A server process started for a test fixture: its output is collected, <see cref="WaitForLineAsync"/> waits (with a
/// bound) for the line that says it is ready, and Dispose kills the whole process tree.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource<string>? _waiter;
    private string? _awaited;

    private ServerProcess(Process process) => _process = process;

    /// <summary>Everything the process printed so far (stdout and stderr, in arrival order).</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="arguments"/> and extra environment variables.</summary>
    public static ServerProcess Start(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Exited += (_, _) => server.OnExit();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// Runs <paramref name="file"/> to completion within <paramref name="timeout"/>; throws with its output when it
    /// fails.
    /// </summary>
    public static async Task RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        using var server = Start(file, arguments, environment);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await server._process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} did not finish in {timeout}:\n{server.Output}");
        }

        if (server._process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} exited with {server._process.ExitCode}:\n{server.Output}");
        }
    }

    /// <summary>Waits for an output line containing <paramref name="text"/>; throws when the process exits first or after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        Task<string> task;
        lock (_lock)
        {
            if (_output.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } seen)
            {
                return seen;
            }

            _awaited = text;
            _waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            task = _waiter.Task;
            if (_process.HasExited)
            {
                _waiter.TrySetException(new InvalidOperationException($"the server exited with {_process.ExitCode}:\n{string.Join('\n', _output)}"));
            }
        }

        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line with '{text}' within {timeout}; output so far:\n{Output}");
        }
    }

    /// <summary>Kills the process tree and waits for it to go.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It was never started or already reaped: nothing left to kill.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _output.Add(line);
            if (_awaited is not null && line.Contains(_awaited, StringComparison.Ordinal))
            {
                _waiter?.TrySetResult(line);
            }
        }
    }

    private void OnExit()
    {
        lock (_lock)
        {
            _waiter?.TrySetException(new InvalidOperationException($"the server exited with {_process.ExitCode}:\n{string.Join('\n', _output)}"));
        }
    }
}
