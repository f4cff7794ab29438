namespace Isg.Node.Cli;

/// <summary>A failure the CLI reports as one clear line and an exit code; never carries secrets.</summary>
public sealed class CliException : Exception
{
    /// <summary>Creates the failure with the exit code it maps to.</summary>
    public CliException(ExitCode exitCode, string message)
        : base(message) => ExitCode = exitCode;

    /// <summary>Creates the failure with its cause.</summary>
    public CliException(ExitCode exitCode, string message, Exception innerException)
        : base(message, innerException) => ExitCode = exitCode;

    /// <summary>The exit code.</summary>
    public ExitCode ExitCode { get; }
}
