using System.Threading.Channels;
using Isg.Actors.Transfers;

namespace Isg.Node.Http;

/// <summary>
/// The progress of a job on its way to a client that may read slower than the job runs (a paused pager, a stalled
/// connection): <see cref="Report"/> never blocks the job, and what waits here stays bounded. Up to
/// <see cref="Capacity"/> reports wait in order; past that, file acknowledgements and byte counts are counted instead of
/// kept, and the next report that finds room (or <see cref="Complete"/>) is preceded by one
/// <see cref="TransferEvent.Omitted"/> report with their number and the latest totals. Failures, the scan and the
/// completion are always kept (a failure is also kept by the job's report, so they cost nothing new). One writer (the
/// job: <see cref="Report"/>, then <see cref="Complete"/>), one reader.
/// </summary>
internal sealed class ProgressBuffer(int capacity) : IProgress<TransferProgress>
{
    // Not SingleReader: that variant cannot count what it holds, and the count is what bounds it.
    private readonly Channel<TransferProgress> _waiting = Channel.CreateUnbounded<TransferProgress>(
        new UnboundedChannelOptions { SingleWriter = true });

    // The writer's alone: what was left out since the last report that found room.
    private TransferProgress? _latest;
    private int _omitted;

    /// <summary>Reports kept at most before acknowledgements are counted instead (failures may go past it).</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Reports waiting for the reader now.</summary>
    public int Count => _waiting.Reader.Count;

    /// <summary>True when a report waits (the reader may write on without flushing).</summary>
    public bool HasWaiting => Count > 0;

    /// <inheritdoc />
    public void Report(TransferProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var mustKeep = value.Event is TransferEvent.FileFailed or TransferEvent.Scanned or TransferEvent.Completed;
        if (!mustKeep && Count >= Capacity)
        {
            if (value.Event is TransferEvent.FileDone or TransferEvent.FileUnchanged)
            {
                _omitted++;
            }

            _latest = value;
            return;
        }

        // What was left out comes before anything later, so the reader's counts never go back.
        WriteOmitted();
        _waiting.Writer.TryWrite(value);
    }

    /// <summary>Ends the reports: the reader gets what waits (and a count of what was left out), then its enumeration ends.</summary>
    public void Complete()
    {
        WriteOmitted();
        _waiting.Writer.TryComplete();
    }

    /// <summary>The reports in order, as they come, until <see cref="Complete"/>.</summary>
    public IAsyncEnumerable<TransferProgress> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _waiting.Reader.ReadAllAsync(cancellationToken);

    private void WriteOmitted()
    {
        if (_omitted > 0 && _latest is { } latest)
        {
            _waiting.Writer.TryWrite(latest with { Event = TransferEvent.Omitted, Path = string.Empty, Detail = null, Omitted = _omitted });
            _omitted = 0;
            _latest = null;
        }
    }
}
