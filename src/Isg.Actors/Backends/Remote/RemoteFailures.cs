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
}
