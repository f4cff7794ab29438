using Isg.Actors.Backends.Remote;
using Isg.Actors.Backends.Video;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// Packs' videos on YouTube: each is uploaded as a video whose title is random and whose description carries only the
/// pack id (<c>isgv2 pack &lt;id&gt;</c>): the videos hold sealed ciphertext and the ids are random, so nothing about the
/// contents reaches the platform. Pack id to video id is kept in a <see cref="RemoteObjectIndex"/> (<c>youtube-videos.db</c>
/// in the state folder); removed videos wait in <c>youtube-removals.db</c> until a flush deletes them (50 units each).
/// </summary>
public sealed class YouTubeVideoStore : IVideoStore
{
    /// <summary>The description prefix before the pack id.</summary>
    public const string DescriptionPrefix = "isgv2 pack ";

    private readonly YouTubeBackendOptions _options;
    private readonly YouTubeClient _client;
    private readonly ILogger _logger;
    private readonly RemoteObjectIndex _videos;
    private readonly RemoteObjectIndex _removals;
    private readonly IDisposable? _owned;

    /// <summary>A store uploading through <paramref name="client"/>, its maps in <see cref="YouTubeBackendOptions.StateDirectory"/>; disposing it disposes <paramref name="owned"/> (the HTTP client).</summary>
    public YouTubeVideoStore(YouTubeBackendOptions options, YouTubeClient client, ILogger logger, IDisposable? owned = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _client = client;
        _logger = logger;
        _owned = owned;
        _videos = RemoteObjectIndex.Open(Path.Combine(options.StateDirectory, "youtube-videos.db"));
        _removals = RemoteObjectIndex.Open(Path.Combine(options.StateDirectory, "youtube-removals.db"));
    }

    /// <inheritdoc />
    public bool IsLocal => false;

    /// <inheritdoc />
    /// <remarks>Puts are spooled and cost nothing; each sealed pack costs 1600 units when uploaded.</remarks>
    public BackendQuota? Quota => new("api-units", _options.DailyQuota, TimeSpan.FromDays(1), CostPerPut: 0);

    /// <summary>The client (quota ledger, tokens).</summary>
    public YouTubeClient Client => _client;

    /// <summary>The YouTube video id holding pack <paramref name="id"/>, if it was uploaded.</summary>
    public string? VideoIdOf(string id) => _videos.TryGet(id, out var entry) && entry.Parts.Count > 0 ? entry.Parts[0] : null;

    /// <summary>The pack id a description written by this store names, or null when it is not one of ours.</summary>
    public static string? PackIdOf(string description) =>
        description is not null && description.StartsWith(DescriptionPrefix, StringComparison.Ordinal)
            && VideoPackIds.IsId(description.AsSpan(DescriptionPrefix.Length))
            ? description[DescriptionPrefix.Length..]
            : null;

    /// <inheritdoc />
    public IReadOnlyCollection<string> List() => [.. _videos.All().Select(v => v.Name)];

    /// <inheritdoc />
    public async Task StoreAsync(string id, string videoFile, CancellationToken cancellationToken)
    {
        VideoPackIds.ThrowIfInvalid(id);
        var length = new FileInfo(videoFile).Length;
        var videoId = await _client.UploadAsync(videoFile, VideoPackIds.New(), DescriptionPrefix + id, cancellationToken).ConfigureAwait(false);
        _videos.Put(new RemoteObject(id, [videoId], length));
        File.Delete(videoFile);
        _logger.LogInformation("YouTube backend {Name}: uploaded pack {Pack} as video {Video} ({Bytes} bytes; {Left} API units left today)",
            _options.Name, id, videoId, length, _client.Quota.Remaining);
    }

    /// <inheritdoc />
    public async Task<string> FetchAsync(string id, string scratchFile, CancellationToken cancellationToken)
    {
        VideoPackIds.ThrowIfInvalid(id);
        var videoId = VideoIdOf(id)
            ?? throw new BackendException(BackendFailureKind.NotFound, _options.Name, $"pack {id} was never uploaded (or was removed)");
        await _client.DownloadAsync(videoId, scratchFile, cancellationToken).ConfigureAwait(false);
        return scratchFile;
    }

    /// <inheritdoc />
    public void Remove(string id)
    {
        VideoPackIds.ThrowIfInvalid(id);
        if (_videos.TryGet(id, out var entry))
        {
            // Recorded as pending before it is forgotten: a crash in between leaves a deletion to do, never an orphan.
            _removals.Put(entry);
            _videos.Remove(id);
        }
    }

    /// <inheritdoc />
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var pending in _removals.All())
        {
            try
            {
                foreach (var videoId in pending.Parts)
                {
                    await _client.DeleteAsync(videoId, cancellationToken).ConfigureAwait(false);
                }

                _removals.Remove(pending.Name);
            }
            catch (BackendException e)
            {
                // The video stays on the platform until a later flush; nothing reads it any more.
                _logger.LogWarning(e, "YouTube backend {Name}: deleting the video of removed pack {Pack} failed; retried at the next flush",
                    _options.Name, pending.Name);
                if (e.Kind is BackendFailureKind.QuotaExceeded or BackendFailureKind.Unauthorized)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Removals not yet carried out on the platform.</summary>
    public int PendingRemovals => _removals.All().Count;

    /// <inheritdoc />
    public void Dispose()
    {
        _videos.Dispose();
        _removals.Dispose();
        _owned?.Dispose();
    }
}
