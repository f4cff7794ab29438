using System.Collections.Concurrent;

namespace Isg.Actors.Storage;

/// <summary>
/// A few dedicated threads for file operations that wait for the disk (direct reads and writes). Run there, a wait
/// holds none of the thread pool's threads, which the actors need for CPU work: on a 2-core machine the pool keeps
/// about two threads, so two encoders blocked in a write would otherwise stall every actor until the pool grew.
/// Shared by the whole process; the threads are background threads and live as long as it does.
/// </summary>
public static class IoThreads
{
    /// <summary>How many operations can wait for the disk at once: enough to keep a device's queue busy.</summary>
    public const int Count = 8;

    private static readonly BlockingCollection<Action> s_work = Start();

    /// <summary>Runs <paramref name="operation"/> on one of the threads; the task completes with its result or exception.</summary>
    public static Task<T> Run<T>(Func<T> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_work.Add(() =>
        {
            try
            {
                completion.SetResult(operation());
            }
            catch (OperationCanceledException e)
            {
                completion.SetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        });
        return completion.Task;
    }

    /// <summary>Runs <paramref name="operation"/> on one of the threads; the task completes when it returns or throws.</summary>
    public static Task Run(Action operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return Run(() =>
        {
            operation();
            return true;
        });
    }

    private static BlockingCollection<Action> Start()
    {
        var work = new BlockingCollection<Action>();
        for (var i = 0; i < Count; i++)
        {
            new Thread(() =>
            {
                foreach (var item in work.GetConsumingEnumerable())
                {
                    item();
                }
            })
            {
                IsBackground = true,
                Name = "isg-io-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }.Start();
        }

        return work;
    }
}
