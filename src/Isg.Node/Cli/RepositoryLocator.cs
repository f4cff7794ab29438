namespace Isg.Node.Cli;

/// <summary>Finds the repository folder: --repo, else $ISG_REPO, else ~/.isg.</summary>
public static class RepositoryLocator
{
    /// <summary>Environment variable naming the repository.</summary>
    public const string EnvironmentVariable = "ISG_REPO";

    /// <summary>The absolute repository path for this invocation.</summary>
    public static string Resolve(string? fromOption)
    {
        var chosen = !string.IsNullOrWhiteSpace(fromOption)
            ? fromOption
            : Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(chosen))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home))
            {
                throw new CliException(ExitCode.NoRepository, "no repository given: use --repo or set ISG_REPO (HOME is not set)");
            }

            chosen = Path.Combine(home, ".isg");
        }

        if (chosen.StartsWith("~/", StringComparison.Ordinal))
        {
            chosen = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), chosen[2..]);
        }

        return Path.GetFullPath(chosen);
    }
}
