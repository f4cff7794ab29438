using System.Threading.Channels;

namespace Isg.Actors.Video;

/// <summary>
/// Runs work items on the thread pool while a single consumer takes their results in the order they were submitted:
/// the encoder pool's shape (render frames in parallel, write them to ffmpeg in order; read frames in order, decode them
/// in parallel). At most <c>depth</c> items are in flight, so memory stays bounded. If the consumer fails, the producer
/// is cancelled and awaited before the failure surfaces, so nothing still writes into buffers the caller releases.
/// </summary>
public static class OrderedWork
{
    /// <summary>
    /// Calls <paramref name="produce"/> with a <c>submit</c> function (await it for each item, in order) and
    /// <paramref name="consume"/> for each result, in submission order. Completes when the producer returns and every
    /// result has been consumed; the first failure of either side is thrown.
    /// </summary>
    public static async Task RunAsync<T>(
        Func<Func<Func<T>, ValueTask>, CancellationToken, Task> produce,
        Func<T, CancellationToken, ValueTask> consume,
        int depth,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(produce);
        ArgumentNullException.ThrowIfNull(consume);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var jobs = Channel.CreateBounded<Task<T>>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    await produce(work => jobs.Writer.WriteAsync(Task.Run(work, failed.Token), failed.Token), failed.Token).ConfigureAwait(false);
                    jobs.Writer.Complete();
                }
                catch (Exception e)
                {
                    jobs.Writer.Complete(e);
                    throw;
                }
            },
            failed.Token);
        try
        {
            await foreach (var job in jobs.Reader.ReadAllAsync(failed.Token).ConfigureAwait(false))
            {
                await consume(await job.ConfigureAwait(false), failed.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            // The producer's own error, if any, is a consequence of ours.
            await failed.CancelAsync().ConfigureAwait(false);
            await producer.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .ConfigureAwait(false);
            throw;
        }

        await producer.ConfigureAwait(false);
    }
}
