namespace Isg.Actors.Backends;

/// <summary>
/// A backend that can say when an object was last written (a platform's Last-Modified, a spool file's time), so that
/// garbage collection leaves alone objects too young to be orphans for sure: an upload that completed moments ago may
/// be about to be recorded.
/// </summary>
public interface IObjectTimestamps
{
    /// <summary>When <paramref name="objectName"/> was last written (UTC), or null when it does not exist or the backend cannot tell. One request at most.</summary>
    Task<DateTimeOffset?> LastModifiedAsync(string objectName, CancellationToken cancellationToken);
}
