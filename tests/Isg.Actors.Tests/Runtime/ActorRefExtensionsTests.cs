using Isg.Actors.Runtime;
using Isg.TestKit;

namespace Isg.Actors.Tests.Runtime;

public sealed class ActorRefExtensionsTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AskAsync_ActorReplies_ReturnsReply()
    {
        await using var system = new ActorSystem("test");
        var calculator = system.Spawn<ICalculator>("calc", () => new Calculator());

        var sum = await calculator.AskAsync<ICalculator, int>(reply => new Add(2, 3, reply), Within, CancellationToken.None);

        Assert.Equal(5, sum);
    }

    [Fact]
    public async Task AskAsync_NoReplyWithinTimeout_ThrowsAskTimeoutNamingTarget()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var calculator = system.Spawn<ICalculator>("calc", () => new Calculator());

        var ask = calculator.AskAsync<ICalculator, int>(reply => new Ignore(reply), TimeSpan.FromSeconds(3), CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.False(ask.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => ask.WaitAsync(Within));
        Assert.Equal("/calc", error.TargetPath);
        Assert.Equal(TimeSpan.FromSeconds(3), error.Timeout);
        Assert.Contains("/calc", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskAsync_ReplyAfterTimeout_DeadLettered()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var letters = new TestProbe<DeadLetter>();
        system.DeadLetters.Published += (_, letter) => letters.Tell(letter);
        var calculator = system.Spawn<ICalculator>("calc", () => new Calculator());
        var ask = calculator.AskAsync<ICalculator, int>(reply => new Ignore(reply), TimeSpan.FromSeconds(1), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<AskTimeoutException>(() => ask.WaitAsync(Within));

        calculator.Tell(new ReplyLate(42));

        var letter = await letters.ExpectMessageAsync(Within);
        Assert.Equal(42, letter.Message);
        Assert.Equal(DeadLetterReason.AskExpired, letter.Reason);
        Assert.Equal("/calc/$ask", letter.Recipient);
    }

    [Fact]
    public async Task AskAsync_Cancelled_ThrowsOperationCanceled()
    {
        await using var system = new ActorSystem("test");
        var calculator = system.Spawn<ICalculator>("calc", () => new Calculator());
        using var cancel = new CancellationTokenSource();

        var ask = calculator.AskAsync<ICalculator, int>(reply => new Ignore(reply), Timeout.InfiniteTimeSpan, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask.WaitAsync(Within));
    }

    [Fact]
    public async Task AskAsync_Probe_UsesProbeAsTarget()
    {
        var probe = new TestProbe<ICalculator>();

        var ask = probe.AskAsync<ICalculator, int>(reply => new Add(1, 1, reply), Within, CancellationToken.None);
        var request = await probe.ExpectMessageAsync<Add>(Within);
        request.ReplyTo.Reply(2);

        Assert.Equal(2, await ask.WaitAsync(Within));
    }

    [Fact]
    public async Task AskAsync_BadArguments_Throw()
    {
        await using var system = new ActorSystem("test");
        var calculator = system.Spawn<ICalculator>("calc", () => new Calculator());

        // Argument errors are thrown at the call, not stored in the task.
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = calculator.AskAsync<ICalculator, int>(reply => new Ignore(reply), TimeSpan.Zero, CancellationToken.None); });
        Assert.Throws<ArgumentNullException>(() => { _ = calculator.AskAsync<ICalculator, int>(null!, Within, CancellationToken.None); });
    }

    [Fact]
    public async Task ReplyAdapter_ActorAsksActor_ReplyArrivesAsOwnMessage()
    {
        await using var system = new ActorSystem("test");
        var results = new TestProbe<string>();
        var calculator = system.Spawn<ICalculator>("calc", () => new Calculator());
        var asker = system.Spawn<IAsker>("asker", () => new Asker(calculator, results));

        asker.Tell(new Compute(20, 22));

        Assert.Equal("context 42", await results.ExpectMessageAsync(Within));
        Assert.Equal("extension 42", await results.ExpectMessageAsync(Within));
    }

    private interface ICalculator
    {
    }

    private sealed record Add(int A, int B, IReplyTo<int> ReplyTo) : ICalculator;

    private sealed record Ignore(IReplyTo<int> ReplyTo) : ICalculator;

    private sealed record ReplyLate(int Value) : ICalculator;

    private interface IAsker
    {
    }

    private sealed record Compute(int A, int B) : IAsker;

    private sealed record Sum(string Via, int Value) : IAsker;

    private sealed class Calculator : Actor<ICalculator>
    {
        private IReplyTo<int>? _ignored;

        protected override ValueTask HandleAsync(ICalculator message, CancellationToken cancellationToken)
        {
            switch (message)
            {
                case Add add:
                    add.ReplyTo.Reply(add.A + add.B);
                    break;
                case Ignore ignore:
                    _ignored = ignore.ReplyTo;
                    break;
                case ReplyLate late:
                    _ignored?.Reply(late.Value);
                    break;
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class Asker(IActorRef<ICalculator> calculator, TestProbe<string> results) : Actor<IAsker>
    {
        protected override ValueTask HandleAsync(IAsker message, CancellationToken cancellationToken)
        {
            switch (message)
            {
                case Compute compute:
                    calculator.Tell(new Add(compute.A, compute.B, Context.ReplyAdapter<int>(sum => new Sum("context", sum))));
                    calculator.Tell(new Add(compute.A, compute.B, Context.Self.ReplyAdapter<IAsker, int>(sum => new Sum("extension", sum))));
                    break;
                case Sum sum:
                    results.Tell($"{sum.Via} {sum.Value}");
                    break;
            }

            return ValueTask.CompletedTask;
        }
    }
}
