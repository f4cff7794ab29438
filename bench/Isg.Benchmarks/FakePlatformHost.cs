using System.Globalization;
using System.Runtime.InteropServices;
using Isg.TestKit.Platforms;

namespace Isg.Benchmarks;

/// <summary>
/// `serve-fakes`: runs the tests' contract-following fakes of Discord, Telegram and YouTube on 127.0.0.1 for
/// bench/backends.sh, prints what a client needs to reach each (KEY=VALUE lines, then "ready"), and serves until
/// SIGTERM or SIGINT. Limits are the platforms' own, except YouTube's daily quota (a benchmark uploads more than one
/// day's worth of videos).
/// </summary>
public static class FakePlatformHost
{
    /// <summary>Serves until stopped.</summary>
    public static async Task RunAsync()
    {
        await using var discord = await FakeDiscordServer.StartAsync();
        await using var telegram = await FakeTelegramServer.StartAsync();
        await using var youtube = await FakeYouTubeServer.StartAsync();
        youtube.QuotaLimit = long.MaxValue / 2;
        var lines = new Dictionary<string, string>
        {
            ["discord.api"] = discord.ApiBase.ToString(),
            ["discord.webhook"] = discord.WebhookUrl,
            ["telegram.api"] = telegram.ApiBase.ToString(),
            ["telegram.token"] = telegram.Token,
            ["telegram.chat"] = FakeTelegramServer.ChatId,
            ["youtube.api"] = youtube.BaseUrl.ToString(),
            ["youtube.token_url"] = youtube.TokenEndpoint.ToString(),
            ["youtube.download"] = youtube.DownloadUrlTemplate,
            ["youtube.client_id"] = FakeYouTubeServer.ClientId,
            ["youtube.client_secret"] = FakeYouTubeServer.ClientSecret,
            ["youtube.refresh_token"] = youtube.RefreshToken,
        };
        foreach (var (key, value) in lines)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}={value}"));
        }

        Console.WriteLine("ready");
        Console.Out.Flush();
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
