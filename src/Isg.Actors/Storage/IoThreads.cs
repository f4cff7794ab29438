namespace Isg.Actors.Storage;

/// <summary>
/// A few dedicated threads for file operations that wait for the disk (direct reads and writes). Run there, a wait
/// holds none of the thread pool's threads, which the actors need for CPU work: on a 2-core machine the pool keeps
/// about two threads, so two encoders blocked in a write would otherwise stall every actor until the pool grew.
/// Shared by the whole process; the threads are background threads and live as long as it does.
/// <para>
/// Idle threads block without spinning. A spinning wait (BlockingCollection's semaphore spins before it sleeps) cost a
/// syncing node 3–4 % of its CPU in sched_yield, taken from the other process on a 2-core machine.
/// </para>
/// </summary>
public static class IoThreads
{
    /// <summary>How many operations can wait for the disk at once: enough to keep a device's queue busy and let it merge fsyncs.</summary>
    public const int Count = 16;

    private static readonly Queue<Action> s_work = new();

    static IoThreads()
    {
        for (var i = 0; i < Count; i++)
        {
            new Thread(Serve)
            {
                IsBackground = true,
                Name = "isg-io-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }.Start();
        }
    }

    /// <summary>Runs <paramref name="operation"/> on one of the threads; the task completes with its result or exception.</summary>
    public static Task<T> Run<T>(Func<T> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
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

    private static void Enqueue(Action item)
    {
        lock (s_work)
        {
            s_work.Enqueue(item);
            Monitor.Pulse(s_work);
        }
    }

    private static void Serve()
    {
        while (true)
        {
            Action item;
            lock (s_work)
            {
                while (!s_work.TryDequeue(out item!))
                {
                    Monitor.Wait(s_work);
                }
            }

            item();
        }
    }
}
