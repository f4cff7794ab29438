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
    ];

    /// <summary>The type called <paramref name="type"/>, or null when this process offers none.</summary>
    public static BackendTypeInfo? Find(string type) => All.FirstOrDefault(t => t.Type == type);
}
