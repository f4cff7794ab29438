using Isg.Actors.Backends;
using Isg.Actors.Backends.YouTube;
using Isg.TestKit;

namespace Isg.Actors.Tests.Backends.YouTube;

public sealed class YouTubeQuotaLedgerTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("2026-01-15T07:59:59Z", "2026-01-14")] // PST, UTC-8
    [InlineData("2026-01-15T08:00:00Z", "2026-01-15")]
    [InlineData("2026-07-15T06:59:59Z", "2026-07-14")] // PDT, UTC-7
    [InlineData("2026-07-15T07:00:00Z", "2026-07-15")]
    public void PacificDay_AroundMidnight_IsTheLosAngelesDate(string instant, string day)
    {
        Assert.Equal(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture),
            YouTubeQuotaLedger.PacificDay(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void NextReset_OnTheDayDaylightSavingStarts_IsTheNextPacificMidnight()
    {
        // 8 March 2026: clocks go forward in Los Angeles; the following midnight is PDT (UTC-7).
        var reset = YouTubeQuotaLedger.NextReset(new DateTimeOffset(2026, 3, 8, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 3, 9, 7, 0, 0, TimeSpan.Zero), reset.ToUniversalTime());
    }

    [Fact]
    public void Charge_OverTheLimit_RefusesWithRetryAfterAndSpendsNothing()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 15, 20, 0, 0, TimeSpan.Zero)); // 12:00 PST
        var ledger = new YouTubeQuotaLedger(_root.Combine("quota"), 2_000, clock, "yt");
        ledger.Charge(1_600, "upload");

        var error = Assert.Throws<BackendException>(() => ledger.Charge(1_600, "upload"));

        Assert.Equal(BackendFailureKind.QuotaExceeded, error.Kind);
        Assert.Equal(TimeSpan.FromHours(12), error.RetryAfter);
        Assert.Equal(400, ledger.Remaining);
        ledger.Charge(50, "delete");
        Assert.Equal(1_650, ledger.Used);
    }

    [Fact]
    public void Charge_PersistsAcrossInstancesAndResetsOnTheNextPacificDay()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 15, 20, 0, 0, TimeSpan.Zero));
        var path = _root.Combine("quota");
        new YouTubeQuotaLedger(path, 10_000, clock, "yt").Charge(3_250, "upload");

        Assert.Equal(3_250, new YouTubeQuotaLedger(path, 10_000, clock, "yt").Used);
        clock.Advance(TimeSpan.FromHours(12));
        Assert.Equal(0, new YouTubeQuotaLedger(path, 10_000, clock, "yt").Used);
    }

    [Fact]
    public void MarkExhausted_RefusesEverythingUntilTheReset()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 15, 20, 0, 0, TimeSpan.Zero));
        var ledger = new YouTubeQuotaLedger(_root.Combine("quota"), 10_000, clock, "yt");

        ledger.MarkExhausted();

        Assert.Throws<BackendException>(() => ledger.Charge(1, "list"));
        clock.Advance(TimeSpan.FromHours(12));
        ledger.Charge(1, "list");
        Assert.Equal(1, ledger.Used);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("2026-01-15 -5")]
    public void Open_UnreadableFile_StartsFromNothing(string contents)
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 15, 20, 0, 0, TimeSpan.Zero));
        var path = _root.Combine("quota");
        File.WriteAllText(path, contents);

        Assert.Equal(0, new YouTubeQuotaLedger(path, 10_000, clock, "yt").Used);
    }
}
