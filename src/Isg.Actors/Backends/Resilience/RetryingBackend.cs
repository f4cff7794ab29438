using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// Retries a backend's Transient and QuotaExceeded failures (as the inner backend classifies them) with exponential
/// backoff and jitter, or after the platform's Retry-After (capped by <see cref="RetryOptions.MaxRetryAfter"/>), up
/// to <see cref="RetryOptions.MaxAttempts"/> attempts; Permanent, NotFound and Unauthorized failures are thrown at
/// once. Each attempt has a timeout: an attempt that outlives it is abandoned (a result it still produces is
/// disposed) and counts as a transient failure, so a hanging backend cannot hang the caller. The caller's
/// cancellation ends the call at once, with <see cref="OperationCanceledException"/>, even during a backoff or a
/// hanging attempt. A list is retried only until it yields its first name. Thread-safe.
/// </summary>
public sealed class RetryingBackend : BackendDecorator
{
    private readonly RetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _putBase;
    private readonly TimeSpan _getTimeout;

    /// <summary>Retries calls to <paramref name="inner"/> as <paramref name="options"/> say, waiting on <paramref name="time"/>.</summary>
    public RetryingBackend(IStorageBackend inner, RetryOptions options, TimeProvider time, ILogger logger)
        : this(inner, options, time, logger, randomizer: null)
    {
    }

    /// <summary>As the public constructor, with the jitter's random source (uniform in [0, 1)) fixed for tests.</summary>
    internal RetryingBackend(IStorageBackend inner, RetryOptions options, TimeProvider time, ILogger logger, Func<double>? randomizer)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _time = time;
        _logger = logger;
        _putBase = options.AttemptTimeout;
        _getTimeout = TimeoutFor(Math.Min(options.GetSizeAllowance, inner.Capabilities.MaxObjectSize));
        var retry = new RetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(1, options.MaxAttempts - 1),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = options.UseJitter,
            Delay = options.BaseDelay,
            MaxDelay = options.MaxDelay,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsRetryable(e, args.Context.CancellationToken)),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                args.Outcome.Exception is BackendException { RetryAfter: { } after } ? Clamp(after, _options.MaxRetryAfter) : null),
            OnRetry = args =>
            {
                _logger.LogWarning("{Backend}: attempt {Attempt} failed ({Kind}: {Message}); retrying in {Delay}",
                    Name, args.AttemptNumber + 1, Classify(args.Outcome.Exception!), args.Outcome.Exception!.Message, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        };
        if (randomizer is not null)
        {
            retry.Randomizer = randomizer;
        }

        // Polly's retry needs at least one retry: one attempt is an empty pipeline.
        _pipeline = options.MaxAttempts == 1 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(retry).Build();
    }

    /// <summary>The options in force.</summary>
    public RetryOptions Options => _options;

    /// <inheritdoc />
    public override Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var timeout = TimeoutFor(data.Length);
        return ExecuteAsync(token => Attempt(Inner.PutAsync(objectName, data, token)), timeout, cancellationToken);
    }

    /// <inheritdoc />
    public override Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken) =>
        ExecuteAsync(token => Inner.GetAsync(objectName, token), _getTimeout, cancellationToken);

    /// <inheritdoc />
    public override Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken) =>
        ExecuteAsync(token => Inner.ExistsAsync(objectName, token), _putBase, cancellationToken);

    /// <inheritdoc />
    public override Task DeleteAsync(string objectName, CancellationToken cancellationToken) =>
        ExecuteAsync(token => Attempt(Inner.DeleteAsync(objectName, token)), _putBase, cancellationToken);

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        ExecuteAsync(token => Attempt(Inner.FlushAsync(token)), _putBase, cancellationToken);

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Until the first name is out, a failed listing can start again; after that the caller has seen part of it.
        var (session, hasFirst) = await _pipeline.ExecuteAsync(
            async token =>
            {
                var attempt = new ListSession(this, token);
                try
                {
                    return (attempt, await attempt.MoveNextAsync().ConfigureAwait(false));
                }
                catch
                {
                    await attempt.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            },
            cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            if (!hasFirst)
            {
                yield break;
            }

            yield return session.Current;
            while (await session.MoveNextAsync().ConfigureAwait(false))
            {
                yield return session.Current;
            }
        }
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan max) => value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;

    private static async Task<bool> Attempt(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }

    private TimeSpan TimeoutFor(long bytes) =>
        _options.AttemptTimeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan
        : _options.MinimumBytesPerSecond == 0 ? _options.AttemptTimeout
        : _options.AttemptTimeout + TimeSpan.FromSeconds((double)bytes / _options.MinimumBytesPerSecond);

    private bool IsRetryable(Exception exception, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return Classify(exception) is BackendFailureKind.Transient or BackendFailureKind.QuotaExceeded;
    }

    private async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _pipeline.ExecuteAsync(
            async token => await AttemptAsync(call, timeout, token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> AttemptAsync<T>(Func<CancellationToken, Task<T>> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        Task<T> task;
        try
        {
            task = call(attempt.Token);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(timeout, null);
        }

        try
        {
            // WaitAsync: a backend that ignores its token is abandoned rather than waited for.
            return await task.WaitAsync(attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && timer.IsCancellationRequested)
        {
            Abandon(task);
            throw TimedOut(timeout, e);
        }
        catch (OperationCanceledException) when (!task.IsCompleted)
        {
            Abandon(task);
            throw;
        }
    }

    private BackendException TimedOut(TimeSpan timeout, Exception? inner) =>
        new(BackendFailureKind.Transient, Name, $"an attempt took longer than {timeout.TotalSeconds:0.###} s and was abandoned", inner);

    // An abandoned attempt may still produce a buffer (or fail): dispose the one and observe the other.
    private static void Abandon<T>(Task<T> task) =>
        task.ContinueWith(
            static t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    (t.Result as IDisposable)?.Dispose();
                }
                else
                {
                    _ = t.Exception;
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>One listing attempt: each page (MoveNext) must come within the attempt timeout.</summary>
    private sealed class ListSession : IAsyncDisposable
    {
        private readonly RetryingBackend _owner;
        private readonly CancellationToken _caller;
        private readonly CancellationTokenSource _timer;
        private readonly CancellationTokenSource _linked;
        private readonly IAsyncEnumerator<string> _enumerator;
        private Task<bool>? _abandoned;
        private int _pages;

        public ListSession(RetryingBackend owner, CancellationToken caller)
        {
            _owner = owner;
            _caller = caller;
            // Created with the timeout (not infinite) so that CancelAfter re-arms this provider's timer, not a system one.
            _timer = new CancellationTokenSource(owner._options.AttemptTimeout, owner._time);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _timer.Token);
            _enumerator = owner.Inner.ListAsync(_linked.Token).GetAsyncEnumerator(_linked.Token);
        }

        public string Current => _enumerator.Current;

        public async Task<bool> MoveNextAsync()
        {
            var timeout = _owner._options.AttemptTimeout;
            var timed = timeout != Timeout.InfiniteTimeSpan;
            if (timed && _pages++ > 0)
            {
                _timer.CancelAfter(timeout);
            }

            var next = _enumerator.MoveNextAsync().AsTask();
            try
            {
                var has = await next.WaitAsync(_linked.Token).ConfigureAwait(false);
                if (timed)
                {
                    // The consumer's time between pages is not the backend's.
                    _timer.CancelAfter(Timeout.InfiniteTimeSpan);
                }

                return has;
            }
            catch (OperationCanceledException e) when (!next.IsCompleted)
            {
                _abandoned = next;
                Abandon(next);
                if (!_caller.IsCancellationRequested && _timer.IsCancellationRequested)
                {
                    throw _owner.TimedOut(timeout, e);
                }

                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                // An enumerator abandoned in the middle of a MoveNext cannot be disposed; its token is cancelled, so it ends.
                if (_abandoned is null || _abandoned.IsCompleted)
                {
                    await _enumerator.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _linked.Dispose();
                _timer.Dispose();
            }
        }
    }
}
