using Microsoft.Extensions.Logging;

namespace Isg.Actors.Tests.Hosting;

/// <summary>
/// A logger factory that keeps every entry with its structured values and lets a test await an entry, so that it can
/// synchronise on what the runtime reports (a failure, a restart) instead of sleeping. Thread-safe.
/// </summary>
internal sealed class WatchedLoggerFactory : ILoggerFactory
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];
    private readonly List<(Func<Entry, bool> Match, TaskCompletionSource<Entry> Signal)> _waiters = [];

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new WatchedLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("WatchedLoggerFactory keeps entries itself.");

    public void Dispose()
    {
    }

    /// <summary>The first entry (logged already or later) that matches; fails after <paramref name="within"/>.</summary>
    public Task<Entry> WaitForAsync(Func<Entry, bool> match, TimeSpan within)
    {
        lock (_lock)
        {
            if (_entries.FirstOrDefault(match) is { } logged)
            {
                return Task.FromResult(logged);
            }

            var signal = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, signal));
            return signal.Task.WaitAsync(within);
        }
    }

    private void Add(Entry entry)
    {
        lock (_lock)
        {
            _entries.Add(entry);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(entry))
                {
                    _waiters[i].Signal.TrySetResult(entry);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>One entry: its category, level, text, exception and named values (the message template's holes).</summary>
    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Values);

    private sealed class WatchedLogger(WatchedLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    values[key] = value;
                }
            }

            owner.Add(new Entry(category, logLevel, formatter(state, exception), exception, values));
        }
    }
}
