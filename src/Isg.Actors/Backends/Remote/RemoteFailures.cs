using System.Text.Json;

namespace Isg.Actors.Backends.Remote;

/// <summary>How platform backends classify what they throw.</summary>
public static class RemoteFailures
{
    /// <summary>
    /// A <see cref="BackendException"/>'s own kind; network, timeout and unreadable-response failures are Transient;
    /// argument errors and anything else (a bug) Permanent.
    /// </summary>
    public static BackendFailureKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            BackendException backend => backend.Kind,
            HttpRequestException or IOException or TimeoutException or JsonException => BackendFailureKind.Transient,
            OperationCanceledException => BackendFailureKind.Transient,
            _ => BackendFailureKind.Permanent,
        };
    }

    /// <summary>The wait a response asks for (Retry-After as seconds, or a date measured on <paramref name="time"/>), if any.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(time);
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
