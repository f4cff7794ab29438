using Isg.Actors.Backends.Queue;
using Isg.Actors.Backends.Resilience;

namespace Isg.Actors.Backends;

/// <summary>Finds <see cref="IObjectTimestamps"/> through a backend's upload queue and decorators.</summary>
public static class ObjectTimestamps
{
    /// <summary>
    /// When <paramref name="objectName"/> was last written on <paramref name="backend"/>: asked of the first layer (the
    /// upload queue, a decorator, the platform backend) that can tell; null when none can, or it does not exist.
    /// </summary>
    public static async Task<DateTimeOffset?> LastModifiedAsync(IStorageBackend backend, string objectName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ObjectNames.ThrowIfInvalid(objectName);
        for (var layer = backend; ; )
        {
            if (layer is IObjectTimestamps timestamps && await timestamps.LastModifiedAsync(objectName, cancellationToken).ConfigureAwait(false) is { } at)
            {
                return at;
            }

            switch (layer)
            {
                case QueuedBackend queued:
                    layer = queued.Inner;
                    break;
                case BackendDecorator decorator:
                    layer = decorator.Inner;
                    break;
                default:
                    return null;
            }
        }
    }
}
