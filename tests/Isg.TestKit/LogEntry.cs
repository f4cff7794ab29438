using Microsoft.Extensions.Logging;

namespace Isg.TestKit;

/// <summary>
/// One log call recorded by <see cref="RecordingLoggerFactory"/>: category, level, formatted message, exception and the
/// named values (the message template's holes).
/// </summary>
public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Values);
