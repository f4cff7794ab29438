using System.CommandLine;

namespace Isg.Node.Cli;

/// <summary>Options every command accepts (declared recursive on the root command).</summary>
public sealed class GlobalOptions
{
    /// <summary>--repo: the repository folder (else ISG_REPO, else ~/.isg).</summary>
    public Option<string?> Repo { get; } = new("--repo", "-r")
    {
        Description = "Repository folder (default: $ISG_REPO, else ~/.isg)",
        Recursive = true,
    };

    /// <summary>-v: say more.</summary>
    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Print per-item detail and informational logs to stderr",
        Recursive = true,
    };

    /// <summary>-q: say only what was asked for.</summary>
    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "Print only requested data and errors",
        Recursive = true,
    };

    /// <summary>Adds the options to <paramref name="root"/>.</summary>
    public void AddTo(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Add(Repo);
        root.Add(Verbose);
        root.Add(Quiet);
    }
}
