using Isg.Actors.Runtime;
using Isg.TestKit;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Tests.Runtime;

public sealed class DeadLettersTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TryTell_StoppedActor_FalseAndCountedWithRecipient()
    {
        await using var system = new ActorSystem("test");
        var letters = new TestProbe<DeadLetter>();
        system.DeadLetters.Published += (_, letter) => letters.Tell(letter);
        var actor = system.Spawn<string>("gone", () => new SilentActor());
        await system.StopAsync(actor);

        Assert.False(actor.TryTell("hello"));
        actor.Tell("again");
        await actor.TellAsync("and again", CancellationToken.None);

        Assert.Equal(3, system.DeadLetters.Count);
        Assert.Equal(3, system.DeadLetters.CountOf(DeadLetterReason.Stopped));
        Assert.Equal(new DeadLetter("/gone", "hello", DeadLetterReason.Stopped), await letters.ExpectMessageAsync(Within));
    }

    [Fact]
    public async Task Publish_ManyLetters_EachAtDebugOneWarningSummaryNoContents()
    {
        var time = new ManualTimeProvider();
        var logs = new RecordingLoggerFactory();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time, LoggerFactory = logs });
        var actor = system.Spawn<Secret>("vault", () => new SecretActor());
        await system.StopAsync(actor);

        for (var i = 0; i < 5; i++)
        {
            actor.Tell(new Secret("hunter2"));
        }

        time.Advance(TimeSpan.FromSeconds(10));
        actor.Tell(new Secret("hunter2"));

        var entries = logs.Entries.Where(e => e.Category.Contains("DeadLetters", StringComparison.Ordinal)).ToArray();
        Assert.Equal(6, entries.Count(e => e.Level == LogLevel.Debug));
        var warnings = entries.Where(e => e.Level == LogLevel.Warning).ToArray();
        Assert.Equal(2, warnings.Length);
        Assert.StartsWith("1 dead letters", warnings[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("5 dead letters", warnings[1].Message, StringComparison.Ordinal);
        Assert.All(entries, e => Assert.Contains(nameof(Secret), e.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShutdownAsync_UnsummarisedLetters_FlushedAsWarning()
    {
        var logs = new RecordingLoggerFactory();
        var system = new ActorSystem("test", new ActorSystemOptions { LoggerFactory = logs });
        var actor = system.Spawn<string>("gone", () => new SilentActor());
        await system.StopAsync(actor);
        actor.Tell("a");
        actor.Tell("b");

        await system.ShutdownAsync();

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).ToArray();
        Assert.Equal(2, warnings.Length);
        Assert.StartsWith("1 dead letters since the last summary (2 in all)", warnings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Published_SubscriberThrows_SenderUnaffectedAndCounted()
    {
        var logs = new RecordingLoggerFactory();
        await using var system = new ActorSystem("test", new ActorSystemOptions { LoggerFactory = logs });
        system.DeadLetters.Published += (_, _) => throw new InvalidOperationException("bad subscriber");
        var actor = system.Spawn<string>("gone", () => new SilentActor());
        await system.StopAsync(actor);

        Assert.False(actor.TryTell("x"));

        Assert.Equal(1, system.DeadLetters.Count);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Exception?.Message == "bad subscriber");
    }

    [Fact]
    public async Task HandleAsync_Throws_FailingMessageCounted()
    {
        await using var system = new ActorSystem("test");
        var letters = new TestProbe<DeadLetter>();
        system.DeadLetters.Published += (_, letter) => letters.Tell(letter);
        var actor = system.Spawn<string>("thrower", () => new SilentActor(), strategy: SupervisorStrategy.Stopping);

        actor.Tell("fail");

        Assert.Equal(new DeadLetter("/thrower", "fail", DeadLetterReason.HandlerFailed), await letters.ExpectMessageAsync(Within));
    }

    private sealed record Secret(string Password);

    private sealed class SecretActor : Actor<Secret>
    {
        protected override ValueTask HandleAsync(Secret message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class SilentActor : Actor<string>
    {
        protected override ValueTask HandleAsync(string message, CancellationToken cancellationToken) =>
            message == "fail" ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask;
    }
}
