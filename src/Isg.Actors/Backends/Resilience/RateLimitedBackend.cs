using System.Buffers;
using System.Runtime.CompilerServices;
using Isg.Actors.Healing;

namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// Keeps calls to a backend within a platform's rate: every call takes a token from a calls-per-second bucket, and
/// puts (before the call) and gets (after it, by the size got) take their bytes from a bytes-per-second bucket; a
/// caller waits (on the clock given) until its tokens are there. Buckets are <see cref="TokenBucket"/>s: they start
/// empty, hold at most one second's worth, and queue reservations, so the long-run rate never exceeds the limit.
/// Cancellation ends a wait at once (the reserved tokens stay spent). Thread-safe.
/// </summary>
public sealed class RateLimitedBackend : BackendDecorator
{
    // Calls are counted in thousandths so that rates below one call per second fit the integer bucket.
    private const long CallScale = 1000;

    private readonly TokenBucket? _calls;
    private readonly TokenBucket? _bytes;

    /// <summary>Limits calls to <paramref name="inner"/> as <paramref name="options"/> say, waiting on <paramref name="time"/>.</summary>
    public RateLimitedBackend(IStorageBackend inner, RateLimitOptions options, TimeProvider time)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        Options = options;
        _calls = options.CallsPerSecond > 0 ? new TokenBucket((long)Math.Round(options.CallsPerSecond * CallScale), time) : null;
        _bytes = options.BytesPerSecond > 0 ? new TokenBucket(options.BytesPerSecond, time) : null;
    }

    /// <summary>The limits in force.</summary>
    public RateLimitOptions Options { get; }

    /// <summary>The sum of the waits the limits have imposed so far.</summary>
    public TimeSpan TotalWait => (_calls?.TotalWait ?? TimeSpan.Zero) + (_bytes?.TotalWait ?? TimeSpan.Zero);

    /// <inheritdoc />
    public override async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken).ConfigureAwait(false);
        await BytesAsync(data.Length, cancellationToken).ConfigureAwait(false);
        await Inner.PutAsync(objectName, data, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken).ConfigureAwait(false);
        var owner = await Inner.GetAsync(objectName, cancellationToken).ConfigureAwait(false);
        try
        {
            // The size is known only now: the wait it earns holds this caller back, and with it the next ones.
            await BytesAsync(owner.Memory.Length, cancellationToken).ConfigureAwait(false);
            return owner;
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken).ConfigureAwait(false);
        return await Inner.ExistsAsync(objectName, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken).ConfigureAwait(false);
        await Inner.DeleteAsync(objectName, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken).ConfigureAwait(false);
        await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var name in Inner.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return name;
        }
    }

    private Task CallAsync(CancellationToken cancellationToken) =>
        _calls is null ? Task.CompletedTask : _calls.WaitAsync(CallScale, cancellationToken);

    private Task BytesAsync(long bytes, CancellationToken cancellationToken) =>
        _bytes is null ? Task.CompletedTask : _bytes.WaitAsync(bytes, cancellationToken);
}
