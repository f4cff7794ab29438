using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Isg.TestKit;

/// <summary>
/// A Linux network namespace <c>isg-test-XXXXXXXX</c> with only a loopback interface, up and with multicast on: real
/// multicast (mDNS) between processes and sockets inside it, and nothing leaves the machine (the host's own loopback
/// has no multicast flag). Needs root and iproute2. <see cref="Run{T}"/> executes code on a thread moved into the
/// namespace (sockets created there stay in it); <see cref="Start"/> runs a program inside it. Disposing kills every
/// process it started and deletes the namespace.
/// </summary>
public sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private static readonly Lazy<string?> s_unavailable = new(Probe);

    private readonly List<Process> _processes = [];
    private bool _disposed;

    private NetworkNamespace(string name) => Name = name;

    /// <summary>Why namespaces cannot be made here, or null when they can.</summary>
    public static string? Unavailable => s_unavailable.Value;

    /// <summary>True when the CI variable is set: missing tools are then failures, not skips.</summary>
    public static bool InCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>The namespace's name.</summary>
    public string Name { get; }

    /// <summary>Creates a namespace; throws <see cref="InvalidOperationException"/> naming what is missing.</summary>
    public static NetworkNamespace Create()
    {
        if (Unavailable is { } reason)
        {
            throw new InvalidOperationException($"network namespaces are unavailable: {reason}");
        }

        var created = new NetworkNamespace("isg-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Ip("netns", "add", created.Name);
            Ip("netns", "exec", created.Name, "ip", "link", "set", "lo", "up");
            Ip("netns", "exec", created.Name, "ip", "link", "set", "lo", "multicast", "on");
            return created;
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="action"/> synchronously on a new thread inside the namespace; the thread leaves it afterwards and ends.</summary>
    public T Run<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ObjectDisposedException.ThrowIf(_disposed, this);
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            using var home = File.OpenHandle($"/proc/self/task/{Gettid()}/ns/net");
            using var target = File.OpenHandle($"/run/netns/{Name}");
            if (Setns(target, CloneNewNet) != 0)
            {
                failure = new InvalidOperationException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
                return;
            }

            try
            {
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                _ = Setns(home, CloneNewNet);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + Name,
        };
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException($"code run in {Name} failed: {failure.Message}", failure);
    }

    /// <summary>
    /// Starts <paramref name="file"/> inside the namespace (<c>ip netns exec</c>, which becomes the program), with
    /// stdout and stderr captured into the returned <see cref="NamespaceProcess"/>.
    /// </summary>
    public NamespaceProcess Start(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["netns", "exec", Name, file, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var process = new NamespaceProcess(info);
        lock (_processes)
        {
            _processes.Add(process.Process);
        }

        return process;
    }

    /// <summary>Kills what it started (SIGKILL, then waits), then deletes the namespace. Never throws.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                try
                {
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true);
                    }

                    process.WaitForExit(10_000);
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        }

        try
        {
            Ip("netns", "del", Name);
        }
        catch (InvalidOperationException)
        {
            // Not created, or already deleted.
        }
    }

    /// <summary>Runs `ip ARGS` on the host; throws <see cref="InvalidOperationException"/> with its output when it fails.</summary>
    public static void Ip(params string[] arguments)
    {
        var (code, output) = Exec("ip", arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} exited {code}: {output.Trim()}");
        }
    }

    /// <summary>Runs a program to the end (at most a minute) and returns its exit code and combined output.</summary>
    public static (int Code, string Output) Exec(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} did not finish within a minute");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>True when <paramref name="program"/> is an executable on PATH.</summary>
    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        if (Geteuid() != 0)
        {
            return "not root (ip netns needs CAP_SYS_ADMIN)";
        }

        if (!OnPath("ip"))
        {
            return "the ip command is missing (apt-get install iproute2)";
        }

        var name = "isg-test-probe-" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            var (code, output) = Exec("ip", "netns", "add", name);
            return code == 0 ? null : $"ip netns add exited {code}: {output.Trim()}";
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return e.Message;
        }
        finally
        {
            try
            {
                Exec("ip", "netns", "del", name);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Nothing to delete.
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int Setns(SafeFileHandle fd, int nstype);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int Gettid();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint Geteuid();
}
