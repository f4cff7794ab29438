using Isg.Actors.Backends;
using Isg.Actors.Backends.Telegram;
using Isg.Actors.Catalog;
using Isg.TestKit.Platforms;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.Telegram;

/// <summary>The backend contract, splitting under the download limit, limits, rate limits and errors, over real HTTP against <see cref="FakeTelegramServer"/>.</summary>
public sealed class TelegramBackendTests : BackendConformanceTests, IAsyncLifetime
{
    private readonly TempDirectory _state = new();
    private FakeTelegramServer? _server;

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _state.Dispose();
    }

    protected override async Task<IStorageBackend> CreateBackendAsync()
    {
        _server ??= await FakeTelegramServer.StartAsync();
        return Open(_server);
    }

    [Fact]
    public async Task PutAsync_LargerThanDownloadLimit_SplitsIntoDocumentsAndReassembles()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        server.UploadLimit = 1024 * 1024;
        server.DownloadLimit = 256 * 1024;
        using var backend = Open(server, o => o with { UploadLimit = 1024 * 1024, DownloadLimit = 256 * 1024 });
        var data = RandomBytes(1_000_000, 5);
        var name = NewName();

        await backend.PutAsync(name, data, CancellationToken.None);

        Assert.Equal(4, server.MessageCount);
        Assert.All(server.FileSizes, s => Assert.True(s <= 256 * 1024));
        using var fresh = Open(server);
        using var owner = await fresh.GetAsync(name, CancellationToken.None);
        Assert.True(owner.Memory.Span.SequenceEqual(data));

        await fresh.DeleteAsync(name, CancellationToken.None);
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task GetAsync_PartOverPlatformDownloadLimit_FailsPermanent()
    {
        // A backend configured with a larger limit than the platform's: the upload works, reading it back cannot.
        await using var server = await FakeTelegramServer.StartAsync();
        server.DownloadLimit = 100_000;
        using var backend = Open(server, o => o with { DownloadLimit = 1_000_000 });
        var name = NewName();
        await backend.PutAsync(name, RandomBytes(200_000, 1), CancellationToken.None);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync(name, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains("too big", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAsync_DocumentOverUploadLimit_FailsPermanentAndStoresNothing()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        server.UploadLimit = 100_000;
        using var backend = Open(server, o => o with { UploadLimit = 1_000_000, DownloadLimit = 1_000_000 });
        var name = NewName();

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, RandomBytes(300_000, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains("413", error.Message, StringComparison.Ordinal);
        Assert.Equal(BackendFailureKind.Permanent, backend.Classify(error));
        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task PutAsync_TooManyRequests_ThrowsTransientWithRetryAfter()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server);
        server.RateLimitNext(3);
        var name = NewName();

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, RandomBytes(100, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
        Assert.Contains("retry after 3", error.Message, StringComparison.Ordinal);
        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task PutAsync_AfterA429LongerThanMaxWait_FailsFastWithoutAsking()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server, o => o with { MaxRateLimitWait = TimeSpan.FromSeconds(1) });
        server.RateLimitNext(30);
        await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(100, 1), CancellationToken.None));
        var uploads = server.Uploads.Count;

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(100, 2), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.InRange(error.RetryAfter!.Value, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        Assert.Equal(uploads, server.Uploads.Count);
        Assert.Equal(1, server.RateLimited);
    }

    [Fact]
    public async Task Operations_WrongBotToken_FailUnauthorized()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server, o => o with { BotToken = "123456789:wrong" });

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(10, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Unauthorized, error.Kind);
        Assert.DoesNotContain("wrong", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operations_NoBotTokenConfigured_FailUnauthorized()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server, o => o with { BotToken = null });

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(10, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Unauthorized, error.Kind);
    }

    [Fact]
    public async Task PutAsync_UnknownChat_FailsPermanent()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server, o => o with { ChatId = "-100999" });

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(10, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains("chat not found", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    public async Task PutAsync_ServerError_FailsTransientThenSucceeds(int status)
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server);
        var name = NewName();
        var data = RandomBytes(1000, 1);
        server.Faults.FailNext(1, status);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, data, CancellationToken.None));
        Assert.Equal(BackendFailureKind.Transient, error.Kind);

        await backend.PutAsync(name, data, CancellationToken.None);
        using var owner = await backend.GetAsync(name, CancellationToken.None);
        Assert.True(owner.Memory.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task PutAsync_ConnectionCutMidUpload_FailsTransientAndRecordsNothing()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server);
        var name = NewName();
        server.Faults.CutNext(1);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, RandomBytes(200_000, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task PutAsync_SplitUploadFailsHalfway_DeletesTheDocumentsAlreadySent()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server, o => o with { DownloadLimit = 1000 });
        var name = NewName();
        server.Faults.FailNext(1, 500, after: 2);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, RandomBytes(2500, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
        Assert.Equal(2, server.Uploads.Count);
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task PutAsync_WhatReachesTelegram_IsOnlyTheGivenBytesUnderRandomNames()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server, o => o with { DownloadLimit = 4096 });
        var name = NewName();
        var data = RandomBytes(10_000, 9);

        await backend.PutAsync(name, data, CancellationToken.None);

        var uploads = server.Uploads;
        Assert.Equal(3, uploads.Count);
        Assert.Equal(data, uploads.SelectMany(u => u.Data).ToArray());
        Assert.All(uploads, u =>
        {
            Assert.Matches("^[0-9a-f]{32}$", u.FileName);
            Assert.DoesNotContain(name[..16], u.FileName, StringComparison.Ordinal);
            Assert.DoesNotContain("caption", u.Fields);
        });
        Assert.Equal(3, uploads.Select(u => u.FileName).Distinct().Count());
    }

    [Fact]
    public async Task DeleteAsync_MessageAlreadyGoneFromChannel_SucceedsAndForgetsIt()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server);
        var name = NewName();
        await backend.PutAsync(name, RandomBytes(100, 1), CancellationToken.None);
        server.DeleteAllMessages();

        await backend.DeleteAsync(name, CancellationToken.None);

        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_FileGoneFromChannel_ThrowsNotFound()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        using var backend = Open(server);
        var name = NewName();
        await backend.PutAsync(name, RandomBytes(100, 1), CancellationToken.None);
        server.DeleteAllMessages();

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync(name, CancellationToken.None));

        Assert.Equal(BackendFailureKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task BackendFactory_TelegramRecordWithTokenSecret_OpensAWorkingBackend()
    {
        await using var server = await FakeTelegramServer.StartAsync();
        var record = new BackendRecord("tg", BackendFactory.TelegramType,
            BackendFactory.TelegramSettings(FakeTelegramServer.ChatId, server.ApiBase.ToString(), downloadLimit: 2048), DateTimeOffset.UnixEpoch)
        {
            Secrets = new Dictionary<string, string>(StringComparer.Ordinal) { [BackendFactory.TelegramBotTokenSecret] = server.Token },
        };

        var opened = BackendFactory.Open(record, _state.Path, NullLoggerFactory.Instance);
        using var stack = (IDisposable)opened;
        var backend = Assert.IsType<TelegramBackend>(Isg.Actors.Backends.Resilience.BackendDecorator.Unwrap(opened));
        var name = NewName();
        var data = RandomBytes(5000, 4);
        await backend.PutAsync(name, data, CancellationToken.None);
        using var owner = await backend.GetAsync(name, CancellationToken.None);

        Assert.True(owner.Memory.Span.SequenceEqual(data));
        Assert.Equal(3, server.Uploads.Count);
        Assert.True(File.Exists(Path.Combine(BackendFactory.StateDirectory(_state.Path, "tg"), TelegramBackend.IndexFileName)));
        Assert.Contains(BackendFactory.TelegramType, BackendFactory.Types);
        Assert.DoesNotContain(server.Token, BackendFactory.TelegramOptions(record, _state.Path).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TelegramOptions_NoChatId_Throws()
    {
        var record = new BackendRecord("tg", BackendFactory.TelegramType, "{}", DateTimeOffset.UnixEpoch);

        var error = Assert.Throws<ArgumentException>(() => BackendFactory.TelegramOptions(record, _state.Path));

        Assert.Contains("chatId", error.Message, StringComparison.Ordinal);
    }

    private TelegramBackend Open(FakeTelegramServer server, Func<TelegramBackendOptions, TelegramBackendOptions>? configure = null)
    {
        var options = new TelegramBackendOptions("telegram-test", _state.Combine("telegram"), FakeTelegramServer.ChatId)
        {
            BotToken = server.Token,
            ApiBase = server.ApiBase,
        };
        return new TelegramBackend(configure is null ? options : configure(options), NullLogger.Instance);
    }
}
