using Microsoft.Extensions.Logging;

namespace Isg.Node.Cli;

/// <summary>
/// A minimal synchronous logger for CLI commands: one line per entry on stderr. The framework's console
/// logger costs tens of milliseconds to set up, which every short command would pay.
/// </summary>
public sealed class StderrLoggerProvider(TextWriter stderr, LogLevel minimum) : ILoggerProvider
{
    private readonly LogLevel _minimum = minimum;
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new StderrLogger(this, ShortName(categoryName));

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static string ShortName(string category) =>
        category.LastIndexOf('.') is var dot and >= 0 ? category[(dot + 1)..] : category;

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var label = level switch
        {
            LogLevel.Critical => "critical",
            LogLevel.Error => "error",
            LogLevel.Warning => "warning",
            LogLevel.Information => "info",
            _ => "debug",
        };
        lock (_lock)
        {
            stderr.WriteLine($"isg: {label}: {category}: {message}");
            if (exception is not null && _minimum <= LogLevel.Debug)
            {
                stderr.WriteLine(exception.ToString());
            }
        }
    }

    private sealed class StderrLogger(StderrLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
