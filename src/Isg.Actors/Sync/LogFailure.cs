using Isg.Actors.Runtime;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Sync;

/// <summary>A reply address for fire-and-forget requests: a reply carrying a failure is logged once; others are dropped.</summary>
public sealed class LogFailure<T>(ILogger logger, Func<T, Exception?> failureOf, string what) : IReplyTo<T>
{
    /// <inheritdoc />
    public void Reply(T message)
    {
        if (failureOf(message) is { } failure)
        {
            logger.LogWarning(failure, "{What} failed", what);
        }
    }
}
