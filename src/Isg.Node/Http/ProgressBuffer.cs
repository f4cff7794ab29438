using System.Runtime.CompilerServices;
using Isg.Actors.Transfers;

namespace Isg.Node.Http;

/// <summary>
/// The progress of a job on its way to a client that may read slower than the job runs (a paused pager, a stalled
/// connection): <see cref="Report"/> never blocks the job, and what waits here stays bounded. Up to
/// <see cref="Capacity"/> reports wait in order; past that, file acknowledgements and byte counts are counted instead of
/// kept, and once the reader catches up it gets one <see cref="TransferEvent.Omitted"/> report with their number and
/// the latest totals, then the reports that follow. Failures, the scan and the completion are always kept (a failure is
/// also kept by the job's report, so they cost nothing new). One writer, one reader.
/// </summary>
internal sealed class ProgressBuffer(int capacity) : IProgress<TransferProgress>
{
    private readonly Lock _gate = new();
    private readonly Queue<TransferProgress> _waiting = new();
    private TaskCompletionSource? _readerWaits;
    private TransferProgress? _latest;
    private int _omitted;
    private bool _completed;

    /// <summary>Reports kept at most before acknowledgements are counted instead (failures may go past it).</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Reports waiting for the reader now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>True when a report waits (the reader may write on without flushing).</summary>
    public bool HasWaiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count > 0 || _omitted > 0;
            }
        }
    }

    /// <inheritdoc />
    public void Report(TransferProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        TaskCompletionSource? wake;
        lock (_gate)
        {
            var mustKeep = value.Event is TransferEvent.FileFailed or TransferEvent.Scanned or TransferEvent.Completed;
            if (!mustKeep && _waiting.Count >= Capacity)
            {
                if (value.Event is TransferEvent.FileDone or TransferEvent.FileUnchanged)
                {
                    _omitted++;
                }

                _latest = value;
                return;
            }

            // What was left out comes before anything later, so the reader's counts never go back.
            EnqueueOmitted();
            _waiting.Enqueue(value);
            wake = TakeReader();
        }

        wake?.TrySetResult();
    }

    /// <summary>Ends the reports: the reader gets what waits, then its enumeration ends.</summary>
    public void Complete()
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _completed = true;
            wake = TakeReader();
        }

        wake?.TrySetResult();
    }

    /// <summary>The reports in order, as they come, until <see cref="Complete"/>.</summary>
    public async IAsyncEnumerable<TransferProgress> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            TransferProgress? next;
            Task? wait = null;
            lock (_gate)
            {
                EnqueueOmitted();
                if (!_waiting.TryDequeue(out next))
                {
                    if (_completed)
                    {
                        yield break;
                    }

                    _readerWaits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _readerWaits.Task;
                }
            }

            if (next is not null)
            {
                yield return next;
            }
            else
            {
                await wait!.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Under _gate.
    private void EnqueueOmitted()
    {
        if (_omitted == 0 || _latest is not { } latest)
        {
            return;
        }

        _waiting.Enqueue(latest with { Event = TransferEvent.Omitted, Path = string.Empty, Detail = null, Omitted = _omitted });
        _omitted = 0;
        _latest = null;
    }

    // Under _gate.
    private TaskCompletionSource? TakeReader()
    {
        var reader = _readerWaits;
        _readerWaits = null;
        return reader;
    }
}
