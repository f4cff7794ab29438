using Isg.Node.Cli.Output;
using Microsoft.Extensions.Logging;

namespace Isg.Node.Cli;

/// <summary>Logging for CLI commands: stderr, terse, level by verbosity.</summary>
public static class CliLogging
{
    /// <summary>A logger factory writing to stderr: warnings by default, debug with -v, errors only with -q.</summary>
    public static ILoggerFactory Create(Verbosity verbosity)
    {
        var minimum = verbosity switch
        {
            Verbosity.Quiet => LogLevel.Error,
            Verbosity.Verbose => LogLevel.Debug,
            _ => LogLevel.Warning,
        };
        return new LoggerFactory([new StderrLoggerProvider(Console.Error, minimum)], new LoggerFilterOptions { MinLevel = minimum });
    }
}
