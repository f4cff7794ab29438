using System.Net;
using System.Net.Sockets;

namespace Isg.Actors.Tests.Backends.TestServers;

/// <summary>
/// Where test.sh installs the npm servers the backend tests run (<c>.tools/npm</c> in the repository), and the rule
/// for a missing one: outside CI its tests are skipped with the reason, with the CI variable set they fail.
/// </summary>
public static class NpmTools
{
    private static readonly Lazy<string?> s_root = new(FindRoot);

    /// <summary>The npm folder (<c>.tools/npm</c> of the repository holding these tests), or null when not found.</summary>
    public static string? Folder => s_root.Value is { } root ? Path.Combine(root, ".tools", "npm") : null;

    /// <summary>Whether the tests run in CI (the CI environment variable is set), where a missing tool is a failure.</summary>
    public static bool InCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>The path of npm executable <paramref name="name"/> (node_modules/.bin), or null when it is not installed.</summary>
    public static string? Find(string name) =>
        Folder is { } folder && Path.Combine(folder, "node_modules", ".bin", name) is var path && File.Exists(path) ? path : null;

    /// <summary>Why tests needing <paramref name="name"/> cannot run (null when they can, or when in CI, where they must fail instead).</summary>
    public static string? SkipReason(string name) => Find(name) is null && !InCi
        ? $"{name} is not installed under .tools/npm: run ./test.sh (or `npm ci --prefix .tools/npm`) to test against it"
        : null;

    /// <summary>The path of <paramref name="name"/>; throws with how to install it when missing.</summary>
    public static string Require(string name) => Find(name)
        ?? throw new InvalidOperationException(
            $"{name} is not installed under {Folder ?? ".tools/npm"}: run ./test.sh (or `npm ci --prefix .tools/npm`)");

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Isg.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
