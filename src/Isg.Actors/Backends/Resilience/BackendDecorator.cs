namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// Base of the decorators around an <see cref="IStorageBackend"/>: keeps the inner backend's <see cref="Name"/> and
/// <see cref="Capabilities"/>, classifies its own <see cref="BackendException"/>s by kind and forwards every other
/// exception to the inner backend's <see cref="Classify"/>; disposing it disposes the inner backend.
/// </summary>
public abstract class BackendDecorator : IStorageBackend, IDisposable, IAsyncDisposable
{
    /// <summary>A decorator around <paramref name="inner"/>, which it then owns.</summary>
    protected BackendDecorator(IStorageBackend inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The backend this one wraps.</summary>
    public IStorageBackend Inner { get; }

    /// <inheritdoc />
    public string Name => Inner.Name;

    /// <inheritdoc />
    public BackendCapabilities Capabilities => Inner.Capabilities;

    /// <inheritdoc />
    public abstract Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task<System.Buffers.IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task DeleteAsync(string objectName, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>A <see cref="BackendException"/>'s own kind; anything else as the inner backend classifies it.</summary>
    public BackendFailureKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is BackendException backend ? backend.Kind : Inner.Classify(exception);
    }

    /// <summary>The innermost backend under any number of decorators.</summary>
    public static IStorageBackend Unwrap(IStorageBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        while (backend is BackendDecorator decorator)
        {
            backend = decorator.Inner;
        }

        return backend;
    }

    /// <summary>The platform backend itself: past its upload queue, if it has one, and every decorator.</summary>
    public static IStorageBackend Platform(IStorageBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return Unwrap(backend is Queue.QueuedBackend queued ? queued.Inner : backend);
    }

    /// <summary>Disposes the inner backend.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the inner backend, asynchronously when it supports that.</summary>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        Dispose(disposing: false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the inner backend when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            (Inner as IDisposable)?.Dispose();
        }
    }

    /// <summary>Disposes the inner backend: asynchronously when it is <see cref="IAsyncDisposable"/>, else synchronously.</summary>
    protected virtual async ValueTask DisposeAsyncCore()
    {
        switch (Inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
