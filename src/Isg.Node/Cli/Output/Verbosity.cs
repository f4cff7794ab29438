namespace Isg.Node.Cli.Output;

/// <summary>How much the CLI says: -q, default, -v.</summary>
public enum Verbosity
{
    /// <summary>Only data that was asked for, and errors.</summary>
    Quiet,
    /// <summary>Results and progress.</summary>
    Normal,
    /// <summary>Also per-item detail and informational logs.</summary>
    Verbose,
}
