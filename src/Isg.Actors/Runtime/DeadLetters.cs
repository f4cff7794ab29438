using Microsoft.Extensions.Logging;

namespace Isg.Actors.Runtime;

/// <summary>
/// Counts and publishes undelivered messages of one system. Each is logged at Debug and summarised at Warning at most
/// once per <see cref="ActorSystemOptions.DeadLetterSummaryInterval"/>; logs name the message type, never its contents.
/// </summary>
public sealed class DeadLetters
{
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _summaryInterval;
    private readonly long[] _countByReason = new long[Enum.GetValues<DeadLetterReason>().Length];
    private readonly Lock _summaryLock = new();
    private long _count;
    private long _sinceSummary;
    private long _lastSummaryAt;
    private bool _summaryLogged;

    internal DeadLetters(ILogger logger, TimeProvider timeProvider, TimeSpan summaryInterval)
    {
        _logger = logger;
        _timeProvider = timeProvider;
        _summaryInterval = summaryInterval;
    }

    /// <summary>
    /// Raised synchronously on the thread that failed to deliver, once per dead letter. Handlers must be quick and
    /// must not throw (a throw is logged and swallowed so that senders never see it).
    /// </summary>
    public event EventHandler<DeadLetter>? Published;

    /// <summary>Dead letters since the system started.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Dead letters with reason <paramref name="reason"/> since the system started.</summary>
    public long CountOf(DeadLetterReason reason) => Interlocked.Read(ref _countByReason[(int)reason]);

    internal void Publish(string recipient, object message, DeadLetterReason reason)
    {
        Interlocked.Increment(ref _count);
        Interlocked.Increment(ref _countByReason[(int)reason]);
        var messageType = message.GetType().Name;
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Dead letter to {Recipient}: {MessageType} ({Reason})", recipient, messageType, reason);
        }

        LogSummaryIfDue(recipient, messageType, reason);

        var handlers = Published;
        if (handlers is null)
        {
            return;
        }

        try
        {
            handlers(this, new DeadLetter(recipient, message, reason));
        }
        catch (Exception ex)
        {
            // A subscriber's bug must not surface in the sender, which only tried to tell.
            _logger.LogError(ex, "A dead-letter subscriber threw for a {MessageType} to {Recipient}", messageType, recipient);
        }
    }

    /// <summary>Logs the dead letters not yet summarised (at shutdown).</summary>
    internal void FlushSummary()
    {
        long pending;
        lock (_summaryLock)
        {
            pending = _sinceSummary;
            _sinceSummary = 0;
        }

        if (pending > 0)
        {
            _logger.LogWarning("{Count} dead letters since the last summary ({Total} in all)", pending, Count);
        }
    }

    private void LogSummaryIfDue(string recipient, string messageType, DeadLetterReason reason)
    {
        long pending;
        lock (_summaryLock)
        {
            _sinceSummary++;
            var now = _timeProvider.GetTimestamp();
            if (_summaryLogged && _timeProvider.GetElapsedTime(_lastSummaryAt, now) < _summaryInterval)
            {
                return;
            }

            _summaryLogged = true;
            _lastSummaryAt = now;
            pending = _sinceSummary;
            _sinceSummary = 0;
        }

        _logger.LogWarning(
            "{Count} dead letters since the last summary, latest a {MessageType} to {Recipient} ({Reason}); Debug logging lists each",
            pending,
            messageType,
            recipient,
            reason);
    }
}
