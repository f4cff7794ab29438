namespace Isg.Actors.Backends.Video;

/// <summary>
/// Where a <see cref="VideoPackingBackend"/> keeps its encoded videos (a local folder, a video platform), each named by
/// the pack id the backend chose (16 lowercase hex digits, random). The backend keeps the pack indexes itself; a store
/// only holds, returns and removes whole videos. Thread-safe; calls for different ids may overlap.
/// </summary>
public interface IVideoStore : IDisposable
{
    /// <summary>Whether the videos are on this machine (cheap, no quota).</summary>
    bool IsLocal { get; }

    /// <summary>The medium's quota, or null when it has none.</summary>
    BackendQuota? Quota { get; }

    /// <summary>
    /// The ids of the videos the store holds, from what it knows locally (no network): called once when the backend
    /// opens. Removes what interrupted work of its own left behind.
    /// </summary>
    IReadOnlyCollection<string> List();

    /// <summary>
    /// Stores the encoded video at <paramref name="videoFile"/> as <paramref name="id"/>; durable (listed by a new
    /// instance) when it returns. The file is the store's afterwards on success (moved or deleted); on failure the
    /// caller deletes it. Failures are <see cref="BackendException"/>s (QuotaExceeded, Transient, ...).
    /// </summary>
    Task StoreAsync(string id, string videoFile, CancellationToken cancellationToken);

    /// <summary>
    /// Finishes storing video <paramref name="id"/> after a <see cref="StoreAsync"/> that failed or was cut short by a
    /// crash, from what the store kept of it (a platform's upload session): true once the video is durable as after
    /// <see cref="StoreAsync"/> (at once when it already is), false when the store kept nothing of it (the caller
    /// packs its objects again). Failures are <see cref="BackendException"/>s; what was kept stays for another try.
    /// </summary>
    Task<bool> ResumeAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// A local file holding video <paramref name="id"/>, for decoding: the store's own file, or the video downloaded
    /// to <paramref name="scratchFile"/> (which the caller deletes once done). <see cref="BackendException"/>
    /// NotFound when the store has no such video.
    /// </summary>
    Task<string> FetchAsync(string id, string scratchFile, CancellationToken cancellationToken);

    /// <summary>
    /// Removes video <paramref name="id"/>: from the moment it returns, <see cref="List"/> (here and in a new instance)
    /// no longer names it and nothing kept to resume storing it is left; the medium's copy goes now or at the next
    /// <see cref="FlushAsync"/>. Synchronous and cheap (called under the backend's lock); idempotent.
    /// </summary>
    void Remove(string id);

    /// <summary>Finishes removals left pending by <see cref="Remove"/> where the medium allows now; failures are logged and retried at the next flush.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
