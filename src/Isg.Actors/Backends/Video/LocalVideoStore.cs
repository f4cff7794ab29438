namespace Isg.Actors.Backends.Video;

/// <summary>
/// Videos as files <c>&lt;id&gt;.&lt;ext&gt;</c> in one folder (the <see cref="VideoPackingBackend"/>'s <c>videos/</c>,
/// beside its index and tombstone files, whose extensions it skips). Storing moves the encoded file in; removing
/// deletes it.
/// </summary>
public sealed class LocalVideoStore : IVideoStore
{
    private readonly string _directory;
    private readonly IReadOnlySet<string> _skippedExtensions;

    /// <summary>A store over <paramref name="directory"/> (created); files with <paramref name="skippedExtensions"/> are not videos.</summary>
    public LocalVideoStore(string directory, IReadOnlySet<string> skippedExtensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(skippedExtensions);
        _directory = Path.GetFullPath(directory);
        _skippedExtensions = skippedExtensions;
        Directory.CreateDirectory(_directory);
    }

    /// <inheritdoc />
    public bool IsLocal => true;

    /// <inheritdoc />
    public BackendQuota? Quota => null;

    /// <inheritdoc />
    /// <remarks>Dot files are an encode or an index write cut short: they are deleted.</remarks>
    public IReadOnlyCollection<string> List()
    {
        var ids = new List<string>();
        foreach (var file in Directory.EnumerateFiles(_directory))
        {
            var fileName = Path.GetFileName(file);
            if (fileName.StartsWith('.'))
            {
                File.Delete(file);
                continue;
            }

            var stem = Path.GetFileNameWithoutExtension(fileName);
            if (VideoPackIds.IsId(stem) && !_skippedExtensions.Contains(Path.GetExtension(fileName)))
            {
                ids.Add(stem);
            }
        }

        return ids;
    }

    /// <inheritdoc />
    public Task StoreAsync(string id, string videoFile, CancellationToken cancellationToken)
    {
        VideoPackIds.ThrowIfInvalid(id);
        ArgumentException.ThrowIfNullOrEmpty(videoFile);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        // Same file system as the work folder: a rename, atomic. The encoder flushed the file to disk.
        File.Move(videoFile, Path.Combine(_directory, id + Path.GetExtension(videoFile)), overwrite: true);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>The move into the folder is atomic: the video is there or nothing of it was kept.</remarks>
    public Task<bool> ResumeAsync(string id, CancellationToken cancellationToken)
    {
        VideoPackIds.ThrowIfInvalid(id);
        return cancellationToken.IsCancellationRequested ? Task.FromCanceled<bool>(cancellationToken) : Task.FromResult(Find(id) is not null);
    }

    /// <inheritdoc />
    public Task<string> FetchAsync(string id, string scratchFile, CancellationToken cancellationToken)
    {
        VideoPackIds.ThrowIfInvalid(id);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<string>(cancellationToken);
        }

        var path = Find(id);
        return path is null
            ? Task.FromException<string>(new FileNotFoundException($"no video {id} in {_directory}"))
            : Task.FromResult(path);
    }

    /// <inheritdoc />
    public void Remove(string id)
    {
        VideoPackIds.ThrowIfInvalid(id);
        if (Find(id) is { } path)
        {
            File.Delete(path);
        }
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing held open.
    }

    private string? Find(string id) =>
        Directory.EnumerateFiles(_directory, id + ".*")
            .FirstOrDefault(f => !Path.GetFileName(f).StartsWith('.') && !_skippedExtensions.Contains(Path.GetExtension(f)));
}
