using Isg.Node.Cli.Output;
using Microsoft.Extensions.Logging;

namespace Isg.Node.Cli;

/// <summary>Logging for CLI commands: stderr, terse, level by verbosity.</summary>
public static class CliLogging
{
    /// <summary>A logger factory writing to stderr: warnings by default, debug with -v, errors only with -q.</summary>
    public static ILoggerFactory Create(Verbosity verbosity) =>
        Microsoft.Extensions.Logging.LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(verbosity switch
            {
                Verbosity.Quiet => LogLevel.Error,
                Verbosity.Verbose => LogLevel.Debug,
                _ => LogLevel.Warning,
            });
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = false;
                o.TimestampFormat = null;
            });
            builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
}
