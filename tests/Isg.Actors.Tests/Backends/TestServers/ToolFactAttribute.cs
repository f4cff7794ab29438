namespace Isg.Actors.Tests.Backends.TestServers;

/// <summary>
/// A fact that needs program <c>Tool</c> on the PATH (a Debian package test.sh installs): skipped with the reason when
/// it is missing outside CI; with the CI variable set it runs, and fails, as with <see cref="NpmTools"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    /// <summary>Skips the test when <paramref name="tool"/> is not on the PATH and CI is not set.</summary>
    public ToolFactAttribute(string tool)
    {
        if (FindOnPath(tool) is null && !NpmTools.InCi)
        {
            Skip = $"{tool} is not installed: run ./test.sh (or apt-get install {tool}) to test with it";
        }
    }

    /// <summary>The full path of <paramref name="tool"/> on the PATH, or null.</summary>
    public static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists);
}
