using Isg.Actors.Backends.Testing;

namespace Isg.Actors.Backends;

/// <summary>
/// The backend types `isg backend add` offers, each with its settings. A platform backend registers here (and in
/// <see cref="BackendFactory.Open(Catalog.BackendRecord, string, Microsoft.Extensions.Logging.ILoggerFactory, BackendServices?)"/>);
/// credentials are <see cref="BackendSetting.Secret"/> settings.
/// </summary>
public static class BackendTypes
{
    private static readonly BackendTypeInfo s_testRemote = new(BackendFactory.TestRemoteType,
        "TEST ONLY: a folder acting as an unreliable remote platform (needs ISG_ENABLE_TEST_BACKENDS=1)",
        [
            new BackendSetting("path", "Folder to store objects in (created if missing)", Required: true),
            new BackendSetting("token", "A credential that is stored sealed and never used (exercises credential handling)", Secret: true),
        ]);

    /// <summary>Every type offered in this process (the test-only ones only when enabled).</summary>
    public static IReadOnlyList<BackendTypeInfo> All =>
        TestRemoteBackend.IsEnabled ? [.. Registered, s_testRemote] : Registered;

    private static IReadOnlyList<BackendTypeInfo> Registered { get; } =
    [
        new(BackendFactory.LocalType, "A folder on this machine",
            [new BackendSetting("path", "Folder to store objects in (created if missing)", Required: true)]),
        new(BackendFactory.VideoType, "A folder of ISGv2 videos that objects are packed into",
            [
                new BackendSetting("path", "Folder to keep the videos in (created if missing)", Required: true),
                new BackendSetting("profile",
                    $"How videos are encoded: {string.Join(", ", Isg.Actors.Video.VideoProfiles.All.Select(p => p.Name))}",
                    Default: Isg.Actors.Video.VideoProfiles.Lossless.Name),
                new BackendSetting("pack-size", "Bytes of objects packed into one video",
                    Default: Video.VideoPackingBackendOptions.DefaultPackSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ]),
        new(BackendFactory.IpfsType, "An IPFS daemon (Kubo RPC API); objects are raw blocks, pinned",
            [new BackendSetting("api", "The RPC API address, e.g. http://127.0.0.1:5001", Required: true)]),
        new(BackendFactory.S3Type, "An S3-compatible bucket (AWS, R2, MinIO, Ceph)",
            [
                new BackendSetting("endpoint", "Service URL, e.g. https://s3.eu-central-1.amazonaws.com", Required: true),
                new BackendSetting("bucket", "Bucket name", Required: true),
                new BackendSetting("region", "Signing region", Default: "us-east-1"),
                new BackendSetting("prefix", "Key prefix inside the bucket"),
                new BackendSetting("accessKey", "Access key id", Secret: true, Required: true),
                new BackendSetting("secretKey", "Secret access key", Secret: true, Required: true),
            ]),
        new(BackendFactory.YouTubeType, "A YouTube channel: objects packed into unlisted ISGv2 videos",
            [
                new BackendSetting("clientId", "OAuth client id (installed app)", Secret: true, Required: true),
                new BackendSetting("clientSecret", "OAuth client secret", Secret: true, Required: true),
                new BackendSetting("refreshToken", "OAuth refresh token from the first consent", Secret: true, Required: true),
                new BackendSetting("profile", "Video profile", Default: Isg.Actors.Video.VideoProfiles.YouTube.Name),
                new BackendSetting("packSize", "Bytes of objects packed into one video"),
                new BackendSetting("downloadMode", "yt-dlp or direct", Default: "yt-dlp"),
                new BackendSetting("downloadUrl", "With downloadMode direct: a URL with {id}"),
                new BackendSetting("dailyQuota", "API units per Pacific day", Default: "10000"),
                new BackendSetting("apiBaseUrl", "Override of the API address (tests)"),
            ]),
        new(BackendFactory.DiscordType, "A Discord channel through a webhook; objects split under the attachment limit",
            [
                new BackendSetting("webhook", "The webhook URL (https://discord.com/api/webhooks/ID/TOKEN)", Secret: true, Required: true),
                new BackendSetting("attachmentLimit", "Bytes per attachment (10 MiB without boosts)"),
                new BackendSetting("apiBase", "Override of the API address (tests)"),
            ]),
        new(BackendFactory.TelegramType, "A Telegram channel a bot posts documents into; objects split to the 20 MB download limit",
            [
                new BackendSetting("botToken", "The bot's token", Secret: true, Required: true),
                new BackendSetting("chatId", "The channel, e.g. -1001234567890 or @name", Required: true),
                new BackendSetting("apiBase", "Override of the Bot API address (tests)"),
            ]),
    ];

    /// <summary>The type called <paramref name="type"/>, or null when this process offers none.</summary>
    public static BackendTypeInfo? Find(string type) => All.FirstOrDefault(t => t.Type == type);
}
