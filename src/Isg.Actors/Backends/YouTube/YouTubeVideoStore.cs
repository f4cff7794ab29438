using Isg.Actors.Backends.Remote;
using Isg.Actors.Backends.Video;
using Isg.Actors.Storage;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// Packs' videos on YouTube: each is uploaded as a video whose title is random and whose description carries only the
/// pack id (<c>isgv2 pack &lt;id&gt;</c>): the videos hold sealed ciphertext and the ids are random, so nothing about the
/// contents reaches the platform. Pack id to video id is kept in a <see cref="RemoteObjectIndex"/> (<c>youtube-videos.db</c>
/// in the state folder); removed videos wait in <c>youtube-removals.db</c> until a flush deletes them (50 units each).
/// A video being uploaded lives in <c>youtube-uploads/</c> with its session (<see cref="YouTubeUploadSession"/>) until the
/// upload completes, so an upload cut by a failure or a crash is finished later on the same session
/// (<see cref="ResumeAsync"/>), asking it how much it holds, rather than uploaded (and charged) again.
/// </summary>
public sealed class YouTubeVideoStore : IVideoStore, IQuotaReporter
{
    /// <summary>The description prefix before the pack id.</summary>
    public const string DescriptionPrefix = "isgv2 pack ";

    /// <summary>The folder (under the state directory) of videos being uploaded and their sessions.</summary>
    public const string UploadsDirectoryName = "youtube-uploads";

    private const string SessionExtension = ".session";

    private readonly YouTubeBackendOptions _options;
    private readonly YouTubeClient _client;
    private readonly ILogger _logger;
    private readonly RemoteObjectIndex _videos;
    private readonly RemoteObjectIndex _removals;
    private readonly IDisposable? _owned;
    private readonly string _uploads;

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
        _uploads = Path.Combine(options.StateDirectory, UploadsDirectoryName);
        Directory.CreateDirectory(_uploads);
    }

    /// <inheritdoc />
    public bool IsLocal => false;

    /// <inheritdoc />
    /// <remarks>Puts are spooled and cost nothing; each sealed pack costs 1600 units when uploaded.</remarks>
    public BackendQuota? Quota => new("api-units", _options.DailyQuota, TimeSpan.FromDays(1), CostPerPut: 0);

    /// <inheritdoc />
    /// <remarks>From the persisted ledger: API units spent today (Pacific time) and the next reset.</remarks>
    public BackendQuotaState QuotaState()
    {
        var now = _options.TimeProvider.GetUtcNow();
        return new BackendQuotaState("api-units", _client.Quota.Limit, _client.Quota.Used, YouTubeQuotaLedger.NextReset(now));
    }

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
    /// <remarks>
    /// The file moves into <c>youtube-uploads/</c> first and stays there, with its session, until the upload completes:
    /// on a failure or a crash <see cref="ResumeAsync"/> goes on from where the session stands.
    /// </remarks>
    public async Task StoreAsync(string id, string videoFile, CancellationToken cancellationToken)
    {
        VideoPackIds.ThrowIfInvalid(id);
        ArgumentException.ThrowIfNullOrEmpty(videoFile);
        var held = UploadFile(id, Path.GetExtension(videoFile));
        DiscardUpload(id);
        // Same file system as the packing backend's work folder: a rename.
        File.Move(videoFile, held);
        NativeFileSystem.FsyncPath(_uploads);
        await UploadAsync(id, held, session: null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Goes on with the upload a failed or interrupted <see cref="StoreAsync"/> left in <c>youtube-uploads/</c>: on its
    /// persisted session, asking first how much it holds (<c>bytes */total</c>); on a new session (1600 units) when
    /// that one expired or was never opened.
    /// </remarks>
    public async Task<bool> ResumeAsync(string id, CancellationToken cancellationToken)
    {
        VideoPackIds.ThrowIfInvalid(id);
        if (VideoIdOf(id) is not null)
        {
            return true;
        }

        if (FindUpload(id) is not { } held)
        {
            return false;
        }

        var session = YouTubeUploadSession.TryLoad(SessionFile(id));
        if (session is not null && session.Length != new FileInfo(held).Length)
        {
            _logger.LogWarning("YouTube backend {Name}: the upload session of pack {Pack} is for {Expected} bytes, the video has {Actual}; starting a new one",
                _options.Name, id, session.Length, new FileInfo(held).Length);
            session = null;
        }

        await UploadAsync(id, held, session, cancellationToken).ConfigureAwait(false);
        return true;
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
        DiscardUpload(id);
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

    /// <summary>The packs whose upload is unfinished (held in <c>youtube-uploads/</c>).</summary>
    public IReadOnlyCollection<string> PendingUploads =>
        [.. Directory.EnumerateFiles(_uploads).Select(Path.GetFileNameWithoutExtension).Where(n => VideoPackIds.IsId(n)).Distinct(StringComparer.Ordinal)!];

    /// <summary>Removals not yet carried out on the platform.</summary>
    public int PendingRemovals => _removals.All().Count;

    // Uploads the held video on session (a new one when null or expired), persisting the session and its progress;
    // once YouTube names the video, records it and lets the held files go.
    private async Task UploadAsync(string id, string held, YouTubeUploadSession? session, CancellationToken cancellationToken)
    {
        var length = new FileInfo(held).Length;
        var sessionFile = SessionFile(id);
        var resume = session is not null;
        string? videoId = null;
        for (var attempt = 0; attempt < 2 && videoId is null; attempt++)
        {
            if (session is null)
            {
                var title = VideoPackIds.New();
                var description = DescriptionPrefix + id;
                var uri = await _client.StartUploadAsync(length, YouTubeClient.ContentTypeOf(held), title, description, cancellationToken).ConfigureAwait(false);
                session = new YouTubeUploadSession(uri, length, title, description, 0, _options.TimeProvider.GetUtcNow());
                session.Save(sessionFile);
                resume = false;
            }
            else
            {
                _logger.LogInformation("YouTube backend {Name}: resuming the upload of pack {Pack} on its session ({Received} of {Length} bytes sent before)",
                    _options.Name, id, session.Received, length);
            }

            var current = session;
            var saved = current.Received;
            videoId = await _client.SendAsync(current.Session, held, resume, received =>
            {
                // Informational (resuming asks the session): written at most once per chunk acknowledged.
                if (received != saved)
                {
                    saved = received;
                    (current with { Received = received }).Save(sessionFile);
                }
            }, cancellationToken).ConfigureAwait(false);
            if (videoId is null)
            {
                _logger.LogWarning("YouTube backend {Name}: the upload session of pack {Pack} expired; starting a new one", _options.Name, id);
                session = null;
            }
        }

        if (videoId is null)
        {
            throw new BackendException(BackendFailureKind.Transient, _options.Name, $"uploading pack {id}: upload sessions keep expiring");
        }

        _videos.Put(new RemoteObject(id, [videoId], length));
        DiscardUpload(id);
        _logger.LogInformation("YouTube backend {Name}: uploaded pack {Pack} as video {Video} ({Bytes} bytes; {Left} API units left today)",
            _options.Name, id, videoId, length, _client.Quota.Remaining);
    }

    private string SessionFile(string id) => Path.Combine(_uploads, id + SessionExtension);

    private string UploadFile(string id, string extension) => Path.Combine(_uploads, id + extension);

    private string? FindUpload(string id) =>
        Directory.EnumerateFiles(_uploads, id + ".*").FirstOrDefault(f => Path.GetExtension(f) != SessionExtension && !Path.GetFileName(f).StartsWith('.'));

    private void DiscardUpload(string id)
    {
        foreach (var file in Directory.EnumerateFiles(_uploads, id + ".*"))
        {
            File.Delete(file);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _videos.Dispose();
        _removals.Dispose();
        _owned?.Dispose();
    }
}
