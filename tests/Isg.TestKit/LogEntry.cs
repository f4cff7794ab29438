using Microsoft.Extensions.Logging;

namespace Isg.TestKit;

/// <summary>One log call recorded by <see cref="RecordingLoggerFactory"/>: category, level, formatted message and exception.</summary>
public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception);
