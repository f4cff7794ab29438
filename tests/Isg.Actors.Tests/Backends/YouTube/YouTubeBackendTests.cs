using Isg.Actors.Backends;
using Isg.Actors.Backends.Video;
using Isg.Actors.Backends.YouTube;
using Isg.Actors.Catalog;
using Isg.Actors.Tests.Backends.TestServers;
using Isg.Actors.Video;
using Isg.TestKit;
using Isg.TestKit.Platforms;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.YouTube;

/// <summary>
/// The backend contract and the YouTube specifics (resumable upload cut mid-chunk, token refresh, quota, 429, 5xx,
/// no plaintext on the platform) through the real client over HTTP against <see cref="FakeYouTubeServer"/>, with the
/// small lossless test profile so packs encode and decode in well under a second.
/// </summary>
public sealed class YouTubeBackendTests : BackendConformanceTests, IDisposable
{
    private readonly TempDirectory _root = new();
    private FakeYouTubeServer? _fake;

    public void Dispose()
    {
        _fake?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _root.Dispose();
    }

    protected override async Task<IStorageBackend> CreateBackendAsync() => YouTubeBackend.Open(await OptionsAsync());

    [Fact]
    public async Task FlushAsync_UploadCutInTheMiddleOfAChunk_ResumesTheSessionAndTheVideoIsComplete()
    {
        var fake = await FakeAsync();
        var objects = Objects(5, 300_000);
        using (var backend = YouTubeBackend.Open(await OptionsAsync() with { ChunkSize = 2 * FakeYouTubeServer.ChunkUnit }))
        {
            await PutAllAsync(backend, objects);
            // The second chunk is cut after 300,000 of its 524,288 bytes: the session keeps one whole 256 KiB unit of it.
            fake.CutChunk(chunkNumber: 2, afterBytes: 300_000);

            await backend.FlushAsync(CancellationToken.None);

            Assert.Equal(0, backend.SpooledBytes);
        }

        Assert.Equal(1, fake.Cuts);
        Assert.Equal(1, fake.UploadSessions);
        Assert.True(fake.StatusQueries >= 1);
        Assert.Contains(fake.ContentRanges, r => r.StartsWith("bytes */", StringComparison.Ordinal));
        Assert.Contains(fake.ContentRanges, r => r.StartsWith("bytes 786432-", StringComparison.Ordinal));
        var video = Assert.Single(fake.Videos);
        Assert.True(video.Bytes.Length > 3 * FakeYouTubeServer.ChunkUnit, $"{video.Bytes.Length} bytes: too small to cut in the second chunk");
        await AssertReadableFromThePlatformAsync(objects);
    }

    [Fact]
    public async Task FlushAsync_UploadStoppedMidway_ANewInstanceFinishesTheSameSession()
    {
        var fake = await FakeAsync();
        var objects = Objects(5, 300_000);
        var options = await OptionsAsync();
        string pack;
        using (var stop = new CancellationTokenSource())
        using (var first = YouTubeBackend.Open(options))
        {
            await PutAllAsync(first, objects);
            // The process stops while its third chunk is on the wire: two are in the session, the third never arrives.
            fake.StallChunk(3);
            var flush = first.FlushAsync(stop.Token);
            await fake.ChunkStalled.WaitAsync(TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush);
            pack = Assert.Single(first.PendingSeals);
        }

        var session = YouTubeUploadSession.TryLoad(Path.Combine(options.StateDirectory, YouTubeVideoStore.UploadsDirectoryName, pack + ".session"));
        Assert.NotNull(session);
        Assert.Equal(2 * FakeYouTubeServer.ChunkUnit, session.Received);
        var putsBefore = fake.ContentRanges.Count;

        using (var second = YouTubeBackend.Open(options))
        {
            Assert.Equal([pack], second.PendingSeals);
            await AssertHoldsAsync(second, objects);

            await second.FlushAsync(CancellationToken.None);

            Assert.Empty(second.PendingSeals);
            Assert.Equal(0, second.SpooledBytes);
            Assert.Equal(pack, YouTubeVideoStore.PackIdOf(Assert.Single(fake.Videos).Description));
        }

        // The same session: asked where it stands, then the rest from byte 524,288; one session, one charge.
        var resumed = fake.ContentRanges.Skip(putsBefore).ToList();
        Assert.StartsWith("bytes */", resumed[0], StringComparison.Ordinal);
        Assert.StartsWith($"bytes {2 * FakeYouTubeServer.ChunkUnit}-", resumed[1], StringComparison.Ordinal);
        Assert.Equal(1, fake.UploadSessions);
        Assert.Equal(YouTubeQuotaLedger.UploadCost, fake.QuotaUsed);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(options.StateDirectory, YouTubeVideoStore.UploadsDirectoryName)));
        await AssertReadableFromThePlatformAsync(objects);
    }

    [Fact]
    public async Task FlushAsync_SessionExpiredWhileStopped_ANewInstanceUploadsOnANewSession()
    {
        var fake = await FakeAsync();
        var objects = Objects(3, 300_000);
        var options = await OptionsAsync();
        using (var stop = new CancellationTokenSource())
        using (var first = YouTubeBackend.Open(options))
        {
            await PutAllAsync(first, objects);
            fake.StallChunk(2);
            var flush = first.FlushAsync(stop.Token);
            await fake.ChunkStalled.WaitAsync(TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush);
        }

        fake.ExpireUploadSessions();
        using (var second = YouTubeBackend.Open(options))
        {
            await second.FlushAsync(CancellationToken.None);
            Assert.Empty(second.PendingSeals);
        }

        Assert.Equal(2, fake.UploadSessions);
        Assert.Single(fake.Videos);
        await AssertReadableFromThePlatformAsync(objects);
    }

    [Fact]
    public async Task FlushAsync_ServerErrorsOnChunks_AsksTheSessionAndFinishes()
    {
        var fake = await FakeAsync();
        var objects = Objects(3, 200_000);
        using (var backend = YouTubeBackend.Open(await OptionsAsync()))
        {
            await PutAllAsync(backend, objects);
            fake.FailNextChunks(503, count: 2);

            await backend.FlushAsync(CancellationToken.None);
        }

        Assert.Equal(1, fake.UploadSessions);
        Assert.True(fake.StatusQueries >= 2, $"{fake.StatusQueries} status queries");
        Assert.Single(fake.Videos);
        await AssertReadableFromThePlatformAsync(objects);
    }

    [ToolFact("yt-dlp")]
    public async Task GetAsync_DownloadedWithYtDlp_ChoosesTheUploadedFileAndDecodesIt()
    {
        var fake = await FakeAsync();
        var objects = Objects(3, 20_000);
        // The watch page is the fake's direct link: yt-dlp's generic extractor describes it, and our choice of format
        // and download command run for real.
        var options = await OptionsAsync() with
        {
            DownloadMode = YouTubeDownloadMode.YtDlp,
            DirectDownloadUrl = null,
            WatchUrl = new Uri(fake.BaseUrl, "download/").ToString(),
        };
        using (var backend = YouTubeBackend.Open(options))
        {
            await PutAllAsync(backend, objects);
            await backend.FlushAsync(CancellationToken.None);
        }

        Directory.Delete(Path.Combine(options.StateDirectory, "cache"), recursive: true);
        using (var fresh = YouTubeBackend.Open(options))
        {
            await AssertHoldsAsync(fresh, objects);
        }

        Assert.NotEmpty(fake.DownloadAgents);
        Assert.All(fake.DownloadAgents, agent => Assert.StartsWith("Mozilla/", agent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FlushAsync_AccessTokenExpired_RefreshesOnceAndUploads()
    {
        var fake = await FakeAsync();
        using var backend = YouTubeBackend.Open(await OptionsAsync());
        await PutAllAsync(backend, Objects(2, 5_000));
        await backend.FlushAsync(CancellationToken.None);
        Assert.Equal(1, fake.TokenRequests);

        fake.ExpireAccessTokens();
        var later = Objects(2, 5_000);
        await PutAllAsync(backend, later);
        await backend.FlushAsync(CancellationToken.None);

        Assert.Equal(2, fake.TokenRequests);
        Assert.Equal(2, fake.Videos.Count);
        await AssertHoldsAsync(backend, later);
    }

    [Fact]
    public async Task FlushAsync_RefreshTokenRevoked_FailsUnauthorizedAndObjectsStaySpooled()
    {
        var fake = await FakeAsync();
        var options = await OptionsAsync();
        fake.RevokeRefreshToken();
        using var backend = YouTubeBackend.Open(options);
        var objects = Objects(3, 4_000);
        await PutAllAsync(backend, objects);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.FlushAsync(CancellationToken.None));

        Assert.Equal(BackendFailureKind.Unauthorized, error.Kind);
        Assert.Equal(BackendFailureKind.Unauthorized, backend.Classify(error));
        Assert.Equal(objects.Sum(o => (long)o.Data.Length), backend.SpooledBytes);
        Assert.Empty(fake.Videos);
        await AssertHoldsAsync(backend, objects);
    }

    [Fact]
    public async Task FlushAsync_NoCredentialsConfigured_FailsUnauthorizedWithoutCallingThePlatform()
    {
        var fake = await FakeAsync();
        using var backend = YouTubeBackend.Open(await OptionsAsync() with { RefreshToken = null });
        await PutAllAsync(backend, Objects(1, 100));

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.FlushAsync(CancellationToken.None));

        Assert.Equal(BackendFailureKind.Unauthorized, error.Kind);
        Assert.Equal(0, fake.TokenRequests);
        Assert.Equal(100, backend.SpooledBytes);
    }

    [Fact]
    public async Task FlushAsync_RefreshTokenRotated_HandsTheNewOneToTheHookAndUsesIt()
    {
        var fake = await FakeAsync();
        fake.RotateRefreshTokens = true;
        var persisted = new List<string>();
        var options = await OptionsAsync() with
        {
            RefreshTokenRotated = (token, _) =>
            {
                persisted.Add(token);
                return Task.CompletedTask;
            },
        };
        using var backend = YouTubeBackend.Open(options);
        await PutAllAsync(backend, Objects(1, 1_000));
        await backend.FlushAsync(CancellationToken.None);
        fake.ExpireAccessTokens();
        await PutAllAsync(backend, Objects(1, 1_000));

        await backend.FlushAsync(CancellationToken.None);

        Assert.Equal(2, persisted.Count);
        Assert.Equal(fake.RefreshToken, persisted[^1]);
        Assert.Equal(fake.RefreshToken, ((YouTubeVideoStore)backend.Store).Client.Tokens.RefreshToken);
    }

    [Fact]
    public async Task FlushAsync_PlatformQuotaExhausted_QuotaExceededUntilPacificMidnightAndNothingLost()
    {
        var fake = await FakeAsync();
        fake.QuotaLimit = 1_000;
        // 20:00 UTC on 10 July 2026 is 13:00 in Los Angeles (PDT): 11 hours to the reset.
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 7, 10, 20, 0, 0, TimeSpan.Zero));
        var options = await OptionsAsync() with { TimeProvider = clock };
        var objects = Objects(4, 10_000);
        using (var backend = YouTubeBackend.Open(options))
        {
            await PutAllAsync(backend, objects);

            var error = await Assert.ThrowsAsync<BackendException>(() => backend.FlushAsync(CancellationToken.None));

            Assert.Equal(BackendFailureKind.QuotaExceeded, error.Kind);
            Assert.Equal(BackendFailureKind.QuotaExceeded, backend.Classify(error));
            Assert.Equal(TimeSpan.FromHours(11), error.RetryAfter);
            Assert.Equal(objects.Sum(o => (long)o.Data.Length), backend.SpooledBytes);
            await AssertHoldsAsync(backend, objects);

            // The ledger now knows: the next flush is refused here, without asking the platform.
            var requests = fake.ApiRequests;
            var again = await Assert.ThrowsAsync<BackendException>(() => backend.FlushAsync(CancellationToken.None));
            Assert.Equal(BackendFailureKind.QuotaExceeded, again.Kind);
            Assert.Equal(requests, fake.ApiRequests);
        }

        // The next Pacific day, with the quota back, a new instance uploads what stayed spooled.
        clock.Advance(TimeSpan.FromHours(11));
        fake.QuotaLimit = 10_000;
        using (var reopened = YouTubeBackend.Open(options))
        {
            await reopened.FlushAsync(CancellationToken.None);
            Assert.Equal(0, reopened.SpooledBytes);
        }

        Assert.Single(fake.Videos);
        await AssertReadableFromThePlatformAsync(objects);
    }

    [Fact]
    public async Task FlushAsync_LedgerWouldGoOverTheDailyQuota_RefusedBeforeCallingAndRememberedAcrossRestarts()
    {
        var fake = await FakeAsync();
        var options = await OptionsAsync() with { DailyQuota = 2_000 };
        using (var backend = YouTubeBackend.Open(options))
        {
            await PutAllAsync(backend, Objects(1, 1_000));
            await backend.FlushAsync(CancellationToken.None);
            Assert.Equal(1_600, fake.QuotaUsed);
            Assert.Equal(new BackendQuota("api-units", 2_000, TimeSpan.FromDays(1), 0), backend.Capabilities.Quota);
        }

        using var reopened = YouTubeBackend.Open(options);
        await PutAllAsync(reopened, Objects(1, 1_000));
        var requests = fake.ApiRequests;

        var error = await Assert.ThrowsAsync<BackendException>(() => reopened.FlushAsync(CancellationToken.None));

        Assert.Equal(BackendFailureKind.QuotaExceeded, error.Kind);
        Assert.NotNull(error.RetryAfter);
        Assert.Equal(requests, fake.ApiRequests);
        Assert.Equal(400, ((YouTubeVideoStore)reopened.Store).Client.Quota.Remaining);
        Assert.Single(fake.Videos);
    }

    [Fact]
    public async Task FlushAsync_TooManyRequestsWithRetryAfter_TransientWithThatWaitThenSucceeds()
    {
        var fake = await FakeAsync();
        using var backend = YouTubeBackend.Open(await OptionsAsync());
        var objects = Objects(2, 3_000);
        await PutAllAsync(backend, objects);
        fake.FailNextApiCalls(429, retryAfter: TimeSpan.FromSeconds(7));

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.FlushAsync(CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.True(backend.SpooledBytes > 0);
        await backend.FlushAsync(CancellationToken.None);
        Assert.Equal(0, backend.SpooledBytes);
        await AssertHoldsAsync(backend, objects);
    }

    [Theory]
    [InlineData(500, BackendFailureKind.Transient)]
    [InlineData(503, BackendFailureKind.Transient)]
    [InlineData(413, BackendFailureKind.Permanent)]
    [InlineData(400, BackendFailureKind.Permanent)]
    public async Task FlushAsync_SessionStartFails_ClassifiedAndObjectsStaySpooled(int status, BackendFailureKind kind)
    {
        var fake = await FakeAsync();
        using var backend = YouTubeBackend.Open(await OptionsAsync());
        var objects = Objects(2, 3_000);
        await PutAllAsync(backend, objects);
        fake.FailNextApiCalls(status);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.FlushAsync(CancellationToken.None));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(kind, backend.Classify(error));
        Assert.Empty(fake.Videos);
        await AssertHoldsAsync(backend, objects);
    }

    [Fact]
    public async Task FlushAsync_ThePlatformReceivesOnlyIsgVideosWithOpaqueMetadata()
    {
        var fake = await FakeAsync();
        var objects = Objects(6, 20_000);
        using (var backend = YouTubeBackend.Open(await OptionsAsync()))
        {
            await PutAllAsync(backend, objects);
            await backend.FlushAsync(CancellationToken.None);
            var store = (YouTubeVideoStore)backend.Store;
            var listed = Assert.Single(await store.Client.ListAsync([.. fake.Videos.Select(v => v.Id)], CancellationToken.None));
            Assert.Equal(fake.Videos[0].Description, listed.Description);
            Assert.Equal("unlisted", listed.PrivacyStatus);
        }

        var video = Assert.Single(fake.Videos);
        Assert.Matches("^[0-9a-f]{16}$", video.Title);
        Assert.Matches("^isgv2 pack [0-9a-f]{16}$", video.Description);
        Assert.Equal("unlisted", video.PrivacyStatus);
        Assert.Equal([0x1A, 0x45, 0xDF, 0xA3], video.Bytes[..4]);
        foreach (var (name, data) in objects)
        {
            Assert.Equal(-1, video.Bytes.AsSpan().IndexOf(data.AsSpan(1000, 64)));
            Assert.DoesNotContain(name, video.Title + video.Description, StringComparison.Ordinal);
        }

        // What the platform holds is an ISGv2 video of the pack its description names.
        var file = _root.Combine("platform.mkv");
        await File.WriteAllBytesAsync(file, video.Bytes);
        var decoded = await VideoFileDecoder.DecodeAsync(new VideoDecodeRequest(file, _root.Combine("platform.payload"), Passphrase: null), null, CancellationToken.None);
        Assert.Equal(YouTubeVideoStore.PackIdOf(video.Description) + ".isgp", decoded.Metadata.Name);
    }

    [Fact]
    public async Task DeleteAsync_EveryObjectOfAVideo_TheVideoIsDeletedOnThePlatformAtTheNextFlush()
    {
        var fake = await FakeAsync();
        var objects = Objects(3, 2_000);
        using var backend = YouTubeBackend.Open(await OptionsAsync());
        await PutAllAsync(backend, objects);
        await backend.FlushAsync(CancellationToken.None);
        Assert.Single(fake.Videos);

        foreach (var (name, _) in objects)
        {
            await backend.DeleteAsync(name, CancellationToken.None);
        }

        var store = (YouTubeVideoStore)backend.Store;
        Assert.Equal(1, store.PendingRemovals);
        await backend.FlushAsync(CancellationToken.None);

        Assert.Empty(fake.Videos);
        Assert.Equal(0, store.PendingRemovals);
        Assert.Equal(1_650, fake.QuotaUsed);
        Assert.Empty(await ListAsync(backend));
    }

    [Fact]
    public async Task Open_FromABackendRecord_IsAVideoOnlyRemoteBackendWithAQuota()
    {
        var fake = await FakeAsync();
        var settings = BackendFactory.YouTubeSettings("lossless", 1 << 20, fake.BaseUrl.ToString(), "direct", fake.DownloadUrlTemplate);
        var record = new BackendRecord("tube", BackendFactory.YouTubeType, settings, DateTimeOffset.UnixEpoch)
        {
            Secrets = new Dictionary<string, string>
            {
                ["clientId"] = FakeYouTubeServer.ClientId,
                ["clientSecret"] = FakeYouTubeServer.ClientSecret,
                ["refreshToken"] = fake.RefreshToken,
            },
        };

        var options = BackendFactory.YouTubeOptions(record, _root.Path);
        var opened = BackendFactory.Open(record, _root.Path, NullLoggerFactory.Instance);
        using var stack = (IDisposable)opened;
        var backend = Assert.IsType<VideoPackingBackend>(Isg.Actors.Backends.Resilience.BackendDecorator.Unwrap(opened));

        Assert.Contains(BackendFactory.YouTubeType, BackendFactory.Types);
        Assert.Equal(fake.TokenEndpoint, options.TokenEndpoint);
        Assert.Equal(BackendFactory.StateDirectory(_root.Path, "tube"), options.StateDirectory);
        Assert.Equal(YouTubeDownloadMode.Direct, options.DownloadMode);
        Assert.True(backend.Capabilities.AcceptsOnlyVideo);
        Assert.False(backend.Capabilities.IsLocal);
        Assert.Equal(10_000, backend.Capabilities.Quota?.Limit);
    }

    [Fact]
    public async Task Overview_AfterAnUpload_ShowsTheQuotaLeftFromThePersistedLedger()
    {
        var fake = await FakeAsync();
        string root;
        using (var repository = TestRepository.Create(_root, "repo"))
        {
            var record = new BackendRecord("tube", BackendFactory.YouTubeType,
                BackendFactory.YouTubeSettings("lossless", 1 << 20, fake.BaseUrl.ToString(), "direct", fake.DownloadUrlTemplate), DateTimeOffset.UtcNow)
            {
                Secrets = new Dictionary<string, string>
                {
                    ["clientId"] = FakeYouTubeServer.ClientId,
                    ["clientSecret"] = FakeYouTubeServer.ClientSecret,
                    ["refreshToken"] = fake.RefreshToken,
                },
            };
            using var writer = repository.Catalog.CreateWriter();
            writer.AddBackend(record, Isg.Actors.Backends.Secrets.BackendSecrets.Seal(repository.Key, record.Name, record.Secrets));
            root = repository.Layout.Root;
        }

        // Real traffic in the backend's state directory, as the node's uploader would make it: one upload, 1600 units.
        var options = await OptionsAsync() with { Name = "tube", StateDirectory = BackendFactory.StateDirectory(root, "tube") };
        using (var backend = YouTubeBackend.Open(options))
        {
            await PutAllAsync(backend, Objects(2, 5_000));
            await backend.FlushAsync(CancellationToken.None);
        }

        using var reopened = Isg.Actors.Repositories.Repository.Open(root, TestRepository.Passphrase, NullLoggerFactory.Instance);
        var tube = Assert.Single(BackendAdministration.Overview(reopened), o => o.Backend.Name == "tube");

        Assert.NotNull(tube.Quota);
        Assert.Equal("api-units", tube.Quota.Unit);
        Assert.Equal(1_600, tube.Quota.Used);
        Assert.Equal(8_400, tube.Quota.Left);
        Assert.True(tube.Quota.ResetsAt > DateTimeOffset.UtcNow && tube.Quota.ResetsAt <= DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal(fake.QuotaUsed, tube.Quota.Used);
    }

    private async Task<FakeYouTubeServer> FakeAsync() => _fake ??= await FakeYouTubeServer.StartAsync();

    private async Task<YouTubeBackendOptions> OptionsAsync()
    {
        var fake = await FakeAsync();
        return new YouTubeBackendOptions(_root.Combine("state"))
        {
            Name = "yt",
            ClientId = FakeYouTubeServer.ClientId,
            ClientSecret = FakeYouTubeServer.ClientSecret,
            RefreshToken = fake.RefreshToken,
            Profile = VideoPackingBackendTests.SmallProfile,
            ApiBaseUrl = fake.BaseUrl,
            TokenEndpoint = fake.TokenEndpoint,
            DownloadMode = YouTubeDownloadMode.Direct,
            DirectDownloadUrl = fake.DownloadUrlTemplate,
            ChunkSize = FakeYouTubeServer.ChunkUnit,
            ResumeDelay = TimeSpan.Zero,
        };
    }

    // A fresh instance with no cache must download the videos from the platform and decode them.
    private async Task AssertReadableFromThePlatformAsync(List<(string Name, byte[] Data)> objects)
    {
        var cache = _root.Combine("state", "cache");
        if (Directory.Exists(cache))
        {
            Directory.Delete(cache, recursive: true);
        }

        using var fresh = YouTubeBackend.Open(await OptionsAsync());
        Assert.Equal(0, fresh.SpooledBytes);
        await AssertHoldsAsync(fresh, objects);
    }

    private static List<(string Name, byte[] Data)> Objects(int count, int size) =>
        Enumerable.Range(0, count).Select(i => (NewName(), RandomBytes(size + (i * 37), 500 + i))).ToList();

    private static async Task PutAllAsync(IStorageBackend backend, List<(string Name, byte[] Data)> objects)
    {
        foreach (var (name, data) in objects)
        {
            await backend.PutAsync(name, data, CancellationToken.None);
        }
    }

    private static async Task AssertHoldsAsync(IStorageBackend backend, List<(string Name, byte[] Data)> objects)
    {
        foreach (var (name, data) in objects)
        {
            using var owner = await backend.GetAsync(name, CancellationToken.None);
            Assert.True(owner.Memory.Span.SequenceEqual(data), name);
        }
    }
}
