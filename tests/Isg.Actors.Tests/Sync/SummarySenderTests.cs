using Isg.Actors.Peers;
using Isg.Actors.Sync;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Sync;

public sealed class SummarySenderTests
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(30);

    // A link whose first send waits for Release, as a summary queued behind a full send budget does.
    private sealed class SlowLink : IPeerLink
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<ulong> _sent = [];
        private int _calls;
        private int _concurrent;

        public TaskCompletionSource FirstSendStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Completed (and replaced) after every send that has arrived.
        public TaskCompletionSource Arrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int MostAtOnce { get; private set; }

        public DeviceId Remote { get; } = DeviceId.FromCertificateDer(new byte[] { 1, 2, 3 });

        public List<ulong> Sent
        {
            get
            {
                lock (_sent)
                {
                    return [.. _sent];
                }
            }
        }

        public void Release() => _release.TrySetResult();

        public Task<PeerFrame> RequestAsync(PeerFrame request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async ValueTask SendAsync(PeerFrame message, CancellationToken cancellationToken)
        {
            var atOnce = Interlocked.Increment(ref _concurrent);
            MostAtOnce = Math.Max(MostAtOnce, atOnce);
            if (Interlocked.Increment(ref _calls) == 1)
            {
                FirstSendStarted.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            Interlocked.Decrement(ref _concurrent);
            TaskCompletionSource arrived;
            lock (_sent)
            {
                _sent.Add(message.SyncSummary.FileCount);
                arrived = Arrived;
                Arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            arrived.SetResult();
        }

        public async Task UntilSentAsync(int count)
        {
            using var bound = new CancellationTokenSource(s_within);
            while (true)
            {
                Task next;
                lock (_sent)
                {
                    if (_sent.Count >= count)
                    {
                        return;
                    }

                    next = Arrived.Task;
                }

                await next.WaitAsync(bound.Token);
            }
        }
    }

    // FileCount tells the summaries apart.
    private static SyncSummary Summary(ulong n) => new() { FileCount = n };

    [Fact]
    public async Task Summaries_MadeWhileOneIsSent_FollowItInOrderAndOnlyTheLatest()
    {
        var link = new SlowLink();
        var sender = new SummarySender(link, NullLogger.Instance, CancellationToken.None);

        sender.Send(Summary(1));
        await link.FirstSendStarted.Task.WaitAsync(s_within);
        sender.Send(Summary(2));
        sender.Send(Summary(3));
        link.Release();
        await link.UntilSentAsync(2);

        // A summary sent after both shows that 2 was never on its way: it would have gone before 4.
        sender.Send(Summary(4));
        await link.UntilSentAsync(3);

        Assert.Equal([1UL, 3UL, 4UL], link.Sent);
        Assert.Equal(1, link.MostAtOnce);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_ThatFails_IsDroppedAndLaterSummariesStillGo(bool unexpected)
    {
        var link = new FailsOnceLink(unexpected);
        var sender = new SummarySender(link, NullLogger.Instance, CancellationToken.None);

        sender.Send(Summary(1));
        await link.Failed.Task.WaitAsync(s_within);
        sender.Send(Summary(2));

        Assert.Equal(2UL, await link.Delivered.Task.WaitAsync(s_within));
    }

    // Fails its first send as a closed connection does (or, unexpected, with another error), then delivers.
    private sealed class FailsOnceLink(bool unexpected) : IPeerLink
    {
        private int _calls;

        public TaskCompletionSource Failed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<ulong> Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DeviceId Remote { get; } = DeviceId.FromCertificateDer(new byte[] { 4, 5, 6 });

        public Task<PeerFrame> RequestAsync(PeerFrame request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask SendAsync(PeerFrame message, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                Failed.SetResult();
                return ValueTask.FromException(unexpected ? new InvalidOperationException("a bug") : new PeerUnavailableException(Remote, "closed"));
            }

            Delivered.TrySetResult(message.SyncSummary.FileCount);
            return ValueTask.CompletedTask;
        }
    }
}
