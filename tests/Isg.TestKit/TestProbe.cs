using System.Threading.Channels;
using Isg.Actors.Runtime;
using Xunit.Sdk;

namespace Isg.TestKit;

/// <summary>
/// A stand-in actor and reply address that records everything it receives, for assertions. Never full, never
/// stopped. The expect methods consume messages in arrival order; time bounds are real time and are upper bounds
/// (they return as soon as a message arrives), except <see cref="ExpectNoMessageAsync"/>, which must wait them out.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class TestProbe<T> : IActorRef<T>, IReplyTo<T>
    where T : notnull
{
    private readonly Channel<T> _queue = Channel.CreateUnbounded<T>();
    private readonly Lock _lock = new();
    private readonly List<T> _received = [];

    /// <summary>Creates a probe at <c>/$probe/name</c>.</summary>
    public TestProbe(string name = "probe") => Path = "/$probe/" + name;

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>Every message received so far, consumed or not, in arrival order.</summary>
    public IReadOnlyList<T> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    /// <inheritdoc />
    public bool TryTell(T message)
    {
        Record(message);
        return true;
    }

    /// <inheritdoc />
    public ValueTask TellAsync(T message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Record(message);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Tell(T message) => Record(message);

    /// <inheritdoc />
    public void Reply(T message) => Record(message);

    /// <summary>The next message; fails the test when none arrives within <paramref name="within"/>.</summary>
    public async Task<T> ExpectMessageAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            return await _queue.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new XunitException($"{Path}: expected a message within {within}; none arrived.");
        }
    }

    /// <summary>The next message, which must be a <typeparamref name="TSpecific"/>; fails the test otherwise.</summary>
    public async Task<TSpecific> ExpectMessageAsync<TSpecific>(TimeSpan within)
        where TSpecific : T
    {
        var message = await ExpectMessageAsync(within);
        return message is TSpecific specific
            ? specific
            : throw new XunitException($"{Path}: expected a {typeof(TSpecific).Name}; got a {message.GetType().Name}: {message}");
    }

    /// <summary>Fails the test when a message arrives within <paramref name="within"/>. Always waits that long: keep it short.</summary>
    public async Task ExpectNoMessageAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        T message;
        try
        {
            message = await _queue.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return;
        }

        throw new XunitException($"{Path}: expected no message within {within}; got a {message.GetType().Name}: {message}");
    }

    /// <summary>Skips messages until one matches <paramref name="predicate"/>; fails the test when none does within <paramref name="within"/> in all.</summary>
    public async Task<T> FishForMessageAsync(Func<T, bool> predicate, TimeSpan within)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        using var timeout = new CancellationTokenSource(within);
        var skipped = 0;
        try
        {
            while (true)
            {
                var message = await _queue.Reader.ReadAsync(timeout.Token);
                if (predicate(message))
                {
                    return message;
                }

                skipped++;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new XunitException($"{Path}: no matching message within {within}; skipped {skipped}.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => Path;

    private void Record(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            _received.Add(message);
        }

        _queue.Writer.TryWrite(message);
    }
}
