using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.Video;

/// <summary>
/// Decoded pack payloads in a folder (<c>&lt;id&gt;.payload</c>), bounded by bytes, least recently used evicted first.
/// A payload is decoded once however many gets ask for it at the same time. Files survive restarts (they are
/// re-registered at construction, oldest first). An evicted file may still be open by a reader: removal is by
/// unlink, so the reader finishes. Thread-safe.
/// </summary>
internal sealed class PackCache
{
    private const string Suffix = ".payload";

    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly LinkedList<string> _recency = new();
    private readonly Dictionary<string, (LinkedListNode<string> Node, long Bytes)> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<string>> _filling = new(StringComparer.Ordinal);
    private long _bytes;

    public PackCache(string directory, long maxBytes, ILogger logger)
    {
        _directory = directory;
        _maxBytes = maxBytes;
        _logger = logger;
        Directory.CreateDirectory(directory);
        var existing = new List<FileInfo>();
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles())
        {
            if (file.Name.StartsWith('.'))
            {
                // A decode that was cut short.
                file.Delete();
            }
            else if (file.Name.EndsWith(Suffix, StringComparison.Ordinal))
            {
                existing.Add(file);
            }
        }

        foreach (var file in existing.OrderBy(f => f.LastWriteTimeUtc))
        {
            Register(file.Name[..^Suffix.Length], file.Length);
        }

        lock (_lock)
        {
            Evict(keep: null);
        }
    }

    /// <summary>Bytes of payloads currently registered.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Where the payload of video <paramref name="id"/> lives in the cache (whether or not it is there).</summary>
    public string PathOf(string id) => Path.Combine(_directory, id + Suffix);

    /// <summary>Whether the payload of <paramref name="id"/> is registered.</summary>
    public bool Contains(string id)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(id);
        }
    }

    /// <summary>
    /// The path of the payload of <paramref name="id"/>, calling <paramref name="fill"/> (with the path to write)
    /// when it is not cached; concurrent callers share one fill, which runs to completion under
    /// <paramref name="fillToken"/> even if a caller stops waiting through <paramref name="cancellationToken"/>.
    /// </summary>
    public Task<string> GetAsync(string id, Func<string, CancellationToken, Task> fill, CancellationToken fillToken, CancellationToken cancellationToken)
    {
        Task<string> task;
        lock (_lock)
        {
            if (_entries.TryGetValue(id, out var entry))
            {
                _recency.Remove(entry.Node);
                _recency.AddLast(entry.Node);
                return Task.FromResult(PathOf(id));
            }

            if (!_filling.TryGetValue(id, out task!))
            {
                task = Task.Run(() => FillAsync(id, fill, fillToken), fillToken);
                _filling[id] = task;
            }
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Moves the finished payload <paramref name="source"/> in as the payload of <paramref name="id"/> (or deletes it when it exceeds the budget).</summary>
    public void Adopt(string id, string source)
    {
        var length = new FileInfo(source).Length;
        if (length > _maxBytes)
        {
            File.Delete(source);
            return;
        }

        Directory.CreateDirectory(_directory);
        File.Move(source, PathOf(id), overwrite: true);
        Register(id, length);
        lock (_lock)
        {
            Evict(keep: id);
        }
    }

    /// <summary>Forgets <paramref name="id"/> and deletes its file, if any (a payload that turned out bad or missing, or a removed video).</summary>
    public void Remove(string id)
    {
        lock (_lock)
        {
            if (_entries.Remove(id, out var entry))
            {
                _recency.Remove(entry.Node);
                _bytes -= entry.Bytes;
            }
        }

        File.Delete(PathOf(id));
    }

    private async Task<string> FillAsync(string id, Func<string, CancellationToken, Task> fill, CancellationToken cancellationToken)
    {
        var path = PathOf(id);
        try
        {
            // The folder may have been removed by hand to drop the cache.
            Directory.CreateDirectory(_directory);
            await fill(path, cancellationToken).ConfigureAwait(false);
            Register(id, new FileInfo(path).Length);
            lock (_lock)
            {
                Evict(keep: id);
            }

            return path;
        }
        finally
        {
            lock (_lock)
            {
                _filling.Remove(id);
            }
        }
    }

    private void Register(string id, long bytes)
    {
        lock (_lock)
        {
            if (_entries.Remove(id, out var old))
            {
                _recency.Remove(old.Node);
                _bytes -= old.Bytes;
            }

            _entries[id] = (_recency.AddLast(id), bytes);
            _bytes += bytes;
        }
    }

    // Caller holds _lock. The payload just added stays even when it alone exceeds the budget, so its get succeeds.
    private void Evict(string? keep)
    {
        while (_bytes > _maxBytes && _recency.First is { } oldest && oldest.Value != keep)
        {
            var id = oldest.Value;
            _bytes -= _entries[id].Bytes;
            _entries.Remove(id);
            _recency.RemoveFirst();
            try
            {
                File.Delete(PathOf(id));
            }
            catch (IOException e)
            {
                _logger.LogWarning(e, "Video cache: could not remove {Path}", PathOf(id));
            }
        }
    }
}
