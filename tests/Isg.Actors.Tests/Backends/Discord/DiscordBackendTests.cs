using System.Diagnostics;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Discord;
using Isg.Actors.Catalog;
using Isg.TestKit;
using Isg.TestKit.Platforms;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.Discord;

/// <summary>The backend contract, splitting, expiring URLs, rate limits and errors, over real HTTP against <see cref="FakeDiscordServer"/>.</summary>
public sealed class DiscordBackendTests : BackendConformanceTests, IAsyncLifetime
{
    private readonly TempDirectory _state = new();
    private FakeDiscordServer? _server;

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
        _server ??= await FakeDiscordServer.StartAsync();
        return Open(_server);
    }

    [Fact]
    public async Task PutAsync_LargerThanAttachmentLimit_SplitsIntoMessagesAndReassembles()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        server.AttachmentLimit = 64 * 1024;
        server.AttachmentsPerMessage = 3;
        using var backend = Open(server, o => o with { AttachmentLimit = 64 * 1024, AttachmentsPerMessage = 3, MessageLimit = 3 * 64 * 1024 });
        var data = RandomBytes(500_000, 7);
        var name = NewName();

        await backend.PutAsync(name, data, CancellationToken.None);

        // 500 000 bytes = 7 full attachments + 1 partial, 3 per message.
        Assert.Equal(3, server.MessageCount);
        var sizes = server.AttachmentSizes.SelectMany(s => s).ToList();
        Assert.Equal(8, sizes.Count);
        Assert.All(sizes, s => Assert.True(s <= 64 * 1024));
        Assert.Equal(data.Length, sizes.Sum());
        using var fresh = Open(server, o => o with { AttachmentLimit = 64 * 1024 });
        using var owner = await fresh.GetAsync(name, CancellationToken.None);
        Assert.True(owner.Memory.Span.SequenceEqual(data));

        await fresh.DeleteAsync(name, CancellationToken.None);
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task PutAsync_AttachmentOverPlatformLimit_FailsPermanentAndStoresNothing()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        server.AttachmentLimit = 256 * 1024;
        using var backend = Open(server, o => o with { AttachmentLimit = 1024 * 1024 });
        var name = NewName();

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, RandomBytes(300_000, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains("40005", error.Message, StringComparison.Ordinal);
        Assert.Equal(BackendFailureKind.Permanent, backend.Classify(error));
        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task GetAsync_AttachmentUrlExpired_FetchesTheMessageAgainAndSucceeds()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await FakeDiscordServer.StartAsync(clock);
        using var backend = Open(server);
        var data = RandomBytes(10_000, 3);
        var name = NewName();
        await backend.PutAsync(name, data, CancellationToken.None);
        using (var first = await backend.GetAsync(name, CancellationToken.None))
        {
            Assert.True(first.Memory.Span.SequenceEqual(data));
        }

        Assert.Equal(0, server.MessageFetches);

        clock.Advance(TimeSpan.FromHours(25));
        using var owner = await backend.GetAsync(name, CancellationToken.None);

        Assert.True(owner.Memory.Span.SequenceEqual(data));
        Assert.Equal(1, server.RefusedDownloads);
        Assert.Equal(1, server.MessageFetches);
    }

    [Fact]
    public async Task PutAsync_RateLimited_ThrowsTransientWithRetryAfter()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        using var backend = Open(server);
        server.RateLimitNext(2.5);
        var name = NewName();

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, RandomBytes(100, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(2.5), error.RetryAfter);
        Assert.Equal(BackendFailureKind.Transient, backend.Classify(error));
        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task PutAsync_RateLimitedLongerThanMaxWait_NextCallFailsFastWithRemainingWait()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        using var backend = Open(server, o => o with { MaxRateLimitWait = TimeSpan.FromSeconds(1) });
        server.RateLimitNext(30, global: true);
        await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(100, 1), CancellationToken.None));

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(100, 2), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.InRange(error.RetryAfter!.Value, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        Assert.Equal(1, server.RateLimited);
    }

    [Fact]
    public async Task PutAsync_BucketEmptied_WaitsForItsResetInsteadOfHitting429()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        server.BucketLimit = 2;
        server.BucketWindow = TimeSpan.FromMilliseconds(300);
        using var backend = Open(server);
        var objects = Enumerable.Range(0, 5).Select(i => (Name: NewName(), Data: RandomBytes(100, i))).ToList();
        var clock = Stopwatch.StartNew();

        foreach (var (name, data) in objects)
        {
            await backend.PutAsync(name, data, CancellationToken.None);
        }

        Assert.Equal(0, server.RateLimited);
        Assert.Equal(5, server.MessageCount);
        // Five requests in buckets of two: at least two waits for a reset.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"{clock.Elapsed}");
    }

    [Fact]
    public async Task Operations_WrongWebhookToken_FailUnauthorized()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        using var backend = Open(server, o => o with { WebhookUrl = server.WebhookUrl[..^4] + "nope" });

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(10, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Unauthorized, error.Kind);
        Assert.Contains("50027", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nope", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operations_UnknownWebhook_FailUnauthorized()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        using var backend = Open(server, o => o with { WebhookUrl = server.WebhookUrl.Replace(FakeDiscordServer.WebhookId, "42", StringComparison.Ordinal) });

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(10, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Unauthorized, error.Kind);
    }

    [Fact]
    public async Task Operations_NoWebhookConfigured_FailUnauthorized()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        using var backend = Open(server, o => o with { WebhookUrl = null });

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(10, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Unauthorized, error.Kind);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task PutAsync_ServerError_FailsTransientThenSucceeds(int status)
    {
        await using var server = await FakeDiscordServer.StartAsync();
        using var backend = Open(server);
        var name = NewName();
        var data = RandomBytes(1000, 1);
        server.Faults.FailNext(1, status);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, data, CancellationToken.None));
        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));

        await backend.PutAsync(name, data, CancellationToken.None);
        using var owner = await backend.GetAsync(name, CancellationToken.None);
        Assert.True(owner.Memory.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task PutAsync_ConnectionCutMidUpload_FailsTransientAndRecordsNothing()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        using var backend = Open(server);
        var name = NewName();
        server.Faults.CutNext(1);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, RandomBytes(200_000, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.Equal(1, server.Faults.FaultsInjected);
        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task PutAsync_SplitUploadFailsHalfway_DeletesTheMessagesAlreadySent()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        server.AttachmentLimit = 1000;
        using var backend = Open(server, o => o with { AttachmentLimit = 1000, AttachmentsPerMessage = 1 });
        var name = NewName();
        // Two messages go through, the third fails.
        server.Faults.FailNext(1, 500, after: 2);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, RandomBytes(2500, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
        Assert.Equal(2, server.Uploads.Count);
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task PutAsync_CleanupOfAFailedUploadFails_LogsItWithoutTheWebhookToken()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        server.AttachmentLimit = 1000;
        var logs = new RecordingLoggerFactory();
        var options = new DiscordBackendOptions("discord-test", _state.Combine("discord"))
        {
            WebhookUrl = server.WebhookUrl,
            ApiBase = server.ApiBase,
            AttachmentLimit = 1000,
            AttachmentsPerMessage = 1,
        };
        using var backend = new DiscordBackend(options, logs.CreateLogger("discord"));
        // The first message goes through; the second upload and the deletion of the first fail.
        server.Faults.FailNext(2, 500, after: 1);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(1500, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.Equal(1, server.MessageCount);
        var warning = Assert.Single(logs.Entries);
        Assert.Contains("stays in the channel", warning.Message, StringComparison.Ordinal);
        Assert.All(logs.Entries, e => Assert.DoesNotContain(server.Token, e.Message + e.Exception, StringComparison.Ordinal));
        Assert.DoesNotContain(server.Token, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAsync_WhatReachesDiscord_IsOnlyTheGivenBytesUnderRandomNames()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        server.AttachmentLimit = 4096;
        using var backend = Open(server, o => o with { AttachmentLimit = 4096 });
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
            Assert.DoesNotContain(name[..16], u.PayloadJson, StringComparison.Ordinal);
        });
        Assert.Equal(3, uploads.Select(u => u.FileName).Distinct().Count());
    }

    [Fact]
    public async Task DeleteAsync_MessageAlreadyGoneFromChannel_SucceedsAndForgetsIt()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        using var backend = Open(server);
        var name = NewName();
        await backend.PutAsync(name, RandomBytes(100, 1), CancellationToken.None);
        server.DeleteAllMessages();

        await backend.DeleteAsync(name, CancellationToken.None);

        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_MessageGoneFromChannel_ThrowsNotFound()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        using var backend = Open(server);
        var name = NewName();
        await backend.PutAsync(name, RandomBytes(100, 1), CancellationToken.None);
        server.DeleteAllMessages();

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync(name, CancellationToken.None));

        Assert.Equal(BackendFailureKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task BackendFactory_DiscordRecordWithWebhookSecret_OpensAWorkingBackend()
    {
        await using var server = await FakeDiscordServer.StartAsync();
        var record = new BackendRecord("chat", BackendFactory.DiscordType, BackendFactory.DiscordSettings(server.ApiBase.ToString(), 2048), DateTimeOffset.UnixEpoch)
        {
            Secrets = new Dictionary<string, string>(StringComparer.Ordinal) { [BackendFactory.DiscordWebhookSecret] = server.WebhookUrl },
        };

        var opened = BackendFactory.Open(record, _state.Path, NullLoggerFactory.Instance);
        using var stack = (IDisposable)opened;
        var backend = Assert.IsType<DiscordBackend>(Isg.Actors.Backends.Resilience.BackendDecorator.Unwrap(opened));
        var name = NewName();
        var data = RandomBytes(5000, 4);
        await backend.PutAsync(name, data, CancellationToken.None);
        using var owner = await backend.GetAsync(name, CancellationToken.None);

        Assert.True(owner.Memory.Span.SequenceEqual(data));
        Assert.Equal(3, server.Uploads.Count);
        Assert.True(File.Exists(Path.Combine(BackendFactory.StateDirectory(_state.Path, "chat"), DiscordBackend.IndexFileName)));
        Assert.Contains(BackendFactory.DiscordType, BackendFactory.Types);
        Assert.DoesNotContain(server.Token, BackendFactory.DiscordOptions(record, _state.Path).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DiscordOptions_NotAWebhookUrl_ThrowsWithoutEchoingIt()
    {
        var record = new BackendRecord("chat", BackendFactory.DiscordType, BackendFactory.DiscordSettings(), DateTimeOffset.UnixEpoch)
        {
            Secrets = new Dictionary<string, string>(StringComparer.Ordinal) { [BackendFactory.DiscordWebhookSecret] = "https://example.com/secret-thing" },
        };

        var error = Assert.Throws<ArgumentException>(() => BackendFactory.DiscordOptions(record, _state.Path));

        Assert.DoesNotContain("secret-thing", error.Message, StringComparison.Ordinal);
    }

    private DiscordBackend Open(FakeDiscordServer server, Func<DiscordBackendOptions, DiscordBackendOptions>? configure = null)
    {
        var options = new DiscordBackendOptions("discord-test", _state.Combine("discord")) { WebhookUrl = server.WebhookUrl, ApiBase = server.ApiBase };
        return new DiscordBackend(configure is null ? options : configure(options), NullLogger.Instance);
    }
}
