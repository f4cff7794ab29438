using Isg.Actors.Transfers;
using Isg.Node.Http;
using Xunit;

namespace Isg.Node.Tests.Http;

public sealed class ProgressBufferTests
{
    private const int Files = 100_000;

    [Fact]
    public async Task UnderCapacity_EveryReportArrivesInOrder_ThenTheEnumerationEnds()
    {
        var buffer = new ProgressBuffer(16);
        buffer.Report(Scanned(3));
        for (var i = 1; i <= 3; i++)
        {
            buffer.Report(Done(i, 3));
        }

        buffer.Report(Completed(3));
        buffer.Complete();

        var read = await ReadAllAsync(buffer);

        Assert.Equal([TransferEvent.Scanned, TransferEvent.FileDone, TransferEvent.FileDone, TransferEvent.FileDone, TransferEvent.Completed],
            read.Select(r => r.Event));
        Assert.Equal(["f1", "f2", "f3"], read.Where(r => r.Event == TransferEvent.FileDone).Select(r => r.Path));
    }

    [Fact]
    public async Task AReaderThatDoesNotRead_KeepsAtMostTheCapacity_AndLearnsHowManyWereLeftOut()
    {
        var buffer = new ProgressBuffer(64);
        buffer.Report(Scanned(Files));
        for (var i = 1; i <= Files; i++)
        {
            buffer.Report(Done(i, Files));
            buffer.Report(Bytes(i, Files));
        }

        // Nothing was read: what waits is bounded by the capacity, not by the number of files.
        Assert.InRange(buffer.Count, 1, buffer.Capacity);

        buffer.Report(Completed(Files));
        buffer.Complete();
        var read = await ReadAllAsync(buffer);

        var listed = read.Count(r => r.Event == TransferEvent.FileDone);
        var omitted = Assert.Single(read, r => r.Event == TransferEvent.Omitted);
        Assert.Equal(Files, listed + omitted.Omitted);
        Assert.Equal(Files, omitted.Files);
        Assert.Equal(Files, omitted.TotalFiles);
        Assert.Equal(TransferEvent.Completed, read[^1].Event);
        Assert.True(read.Zip(read.Skip(1)).All(pair => pair.First.Files <= pair.Second.Files), "counts went back");
    }

    [Fact]
    public async Task WhenFull_FailuresAreStillKept_AfterACountOfTheFilesBeforeThem()
    {
        var buffer = new ProgressBuffer(4);
        for (var i = 1; i <= 10; i++)
        {
            buffer.Report(Done(i, 20));
        }

        buffer.Report(new TransferProgress(TransferEvent.FileFailed, "bad", 0, 0, 10, 20, "unreadable"));
        buffer.Report(Done(11, 20));
        buffer.Complete();

        var read = await ReadAllAsync(buffer);

        Assert.Equal(["f1", "f2", "f3", "f4"], read.Take(4).Select(r => r.Path));
        Assert.Equal(TransferEvent.Omitted, read[4].Event);
        Assert.Equal(6, read[4].Omitted);
        Assert.Equal(10, read[4].Files);
        Assert.Equal(TransferEvent.FileFailed, read[5].Event);
        Assert.Equal("unreadable", read[5].Detail);
        // f11 came while the queue was still over its capacity: counted, and reported when the job completed.
        Assert.Equal(7, read.Count);
        Assert.Equal((TransferEvent.Omitted, 1, 11), (read[6].Event, read[6].Omitted, read[6].Files));
    }

    [Fact]
    public async Task AWaitingReader_IsWokenByTheNextReport()
    {
        var buffer = new ProgressBuffer(8);
        await using var reader = buffer.ReadAllAsync().GetAsyncEnumerator();
        var next = reader.MoveNextAsync();
        Assert.False(next.IsCompleted);

        buffer.Report(Done(1, 1));

        Assert.True(await next);
        Assert.Equal("f1", reader.Current.Path);
        var end = reader.MoveNextAsync();
        buffer.Complete();
        Assert.False(await end);
    }

    [Fact]
    public async Task AReaderWhoseCallerHangsUp_StopsWaiting()
    {
        var buffer = new ProgressBuffer(8);
        using var hangUp = new CancellationTokenSource();
        await using var reader = buffer.ReadAllAsync(hangUp.Token).GetAsyncEnumerator();
        var next = reader.MoveNextAsync();

        await hangUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next);
    }

    [Fact]
    public void ACapacityOfZero_IsRefused() => Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressBuffer(0));

    private static TransferProgress Scanned(int total) => new(TransferEvent.Scanned, string.Empty, 0, total, 0, total);

    private static TransferProgress Done(int file, int total) => new(TransferEvent.FileDone, $"f{file}", file, total, file, total);

    private static TransferProgress Bytes(int file, int total) => new(TransferEvent.Bytes, string.Empty, file, total, file, total);

    private static TransferProgress Completed(int total) => new(TransferEvent.Completed, string.Empty, total, total, total, total);

    private static async Task<List<TransferProgress>> ReadAllAsync(ProgressBuffer buffer)
    {
        var read = new List<TransferProgress>();
        await foreach (var report in buffer.ReadAllAsync())
        {
            read.Add(report);
        }

        return read;
    }
}
