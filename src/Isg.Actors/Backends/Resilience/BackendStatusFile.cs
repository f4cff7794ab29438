using System.Text.Json;
using System.Text.Json.Serialization;
using Isg.Actors.Storage;

namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// A backend's <see cref="BackendStatus"/> in one JSON file (<see cref="FileName"/> in its state directory), kept by the
/// <see cref="MeteredBackend"/> of every process that uses the backend. Outcomes are recorded in memory and written
/// (atomically, fsync'd) when the health they show changes, and otherwise at most every <see cref="WriteInterval"/> and
/// on <see cref="Flush"/>. Each write merges under a lock file with what other processes wrote: counters add up, the
/// later outcome wins. A write that finds the lock taken is left for the next one. Thread-safe.
/// </summary>
public sealed class BackendStatusFile
{
    /// <summary>The file's name in a backend's state directory.</summary>
    public const string FileName = "status.json";

    private const int MaxMessageLength = 300;

    private static readonly JsonSerializerOptions s_json = new() { Converters = { new JsonStringEnumConverter() }, WriteIndented = true };

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    // What this process saw and has not written yet (counters), and its latest outcome.
    private BackendStatus _mine = new();
    private long _calls;
    private long _failures;
    private long _bytesOut;
    private long _bytesIn;
    private string _writtenHealth = string.Empty;
    private long _lastWrite;
    private bool _dirty;

    /// <summary>The status file at <paramref name="path"/> (its folder is created at the first write), timed by <paramref name="time"/>.</summary>
    public BackendStatusFile(string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        _path = System.IO.Path.GetFullPath(path);
        _time = time;
    }

    /// <summary>The longest a recorded outcome waits to be written when the health did not change.</summary>
    public TimeSpan WriteInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The file's path.</summary>
    public string Path => _path;

    /// <summary>The status in the file at <paramref name="path"/>, or null when there is none (or it is unreadable).</summary>
    public static BackendStatus? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<BackendStatus>(File.ReadAllBytes(path), s_json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Records a call that succeeded, having moved <paramref name="bytesOut"/> and <paramref name="bytesIn"/> bytes.</summary>
    public void Succeeded(long bytesOut, long bytesIn, CircuitState circuit)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _calls++;
            _bytesOut += bytesOut;
            _bytesIn += bytesIn;
            _mine = _mine with { LastSuccessAt = now, LastCallFailed = false, Circuit = circuit, CircuitSeenAt = now };
            _dirty = true;
        }

        WriteIfDue();
    }

    /// <summary>Records a call that failed with <paramref name="kind"/>; <paramref name="message"/> is kept, shortened.</summary>
    public void Failed(BackendFailureKind kind, string message, CircuitState circuit)
    {
        ArgumentNullException.ThrowIfNull(message);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _calls++;
            _failures++;
            _mine = _mine with
            {
                LastFailureAt = now,
                LastFailureKind = kind,
                LastFailure = message.Length > MaxMessageLength ? message[..MaxMessageLength] : message,
                LastCallFailed = true,
                Circuit = circuit,
                CircuitSeenAt = now,
            };
            _dirty = true;
        }

        WriteIfDue();
    }

    /// <summary>Records a call the caller cancelled (counted, no outcome).</summary>
    public void Cancelled()
    {
        lock (_lock)
        {
            _calls++;
            _dirty = true;
        }
    }

    /// <summary>Writes what is not written yet (at the end of the process's use of the backend). False when another process held the lock.</summary>
    public bool Flush()
    {
        lock (_lock)
        {
            return !_dirty || Write();
        }
    }

    private void WriteIfDue()
    {
        lock (_lock)
        {
            if (_mine.Health != _writtenHealth || _time.GetElapsedTime(_lastWrite) >= WriteInterval)
            {
                Write();
            }
        }
    }

    // Caller holds _lock.
    private bool Write()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
        var lockPath = _path + ".lock";
        using var fileLock = FileLock.TryTake(lockPath, exclusive: true);
        if (fileLock is null)
        {
            return false;
        }

        var disk = Read(_path) ?? new BackendStatus();
        var mineLast = Later(_mine.LastSuccessAt, _mine.LastFailureAt);
        var diskLast = Later(disk.LastSuccessAt, disk.LastFailureAt);
        var mineIsLater = mineLast is { } mine && (diskLast is not { } theirs || mine >= theirs);
        var failureIsMine = _mine.LastFailureAt is { } mineFailed && (disk.LastFailureAt is not { } diskFailed || mineFailed >= diskFailed);
        var circuitIsMine = _mine.CircuitSeenAt is { } mineSeen && (disk.CircuitSeenAt is not { } diskSeen || mineSeen >= diskSeen);
        var merged = disk with
        {
            LastSuccessAt = Later(disk.LastSuccessAt, _mine.LastSuccessAt),
            LastFailureAt = failureIsMine ? _mine.LastFailureAt : disk.LastFailureAt,
            LastFailureKind = failureIsMine ? _mine.LastFailureKind : disk.LastFailureKind,
            LastFailure = failureIsMine ? _mine.LastFailure : disk.LastFailure,
            LastCallFailed = mineIsLater ? _mine.LastCallFailed : disk.LastCallFailed,
            Circuit = circuitIsMine ? _mine.Circuit : disk.Circuit,
            CircuitSeenAt = circuitIsMine ? _mine.CircuitSeenAt : disk.CircuitSeenAt,
            Calls = disk.Calls + _calls,
            Failures = disk.Failures + _failures,
            BytesOut = disk.BytesOut + _bytesOut,
            BytesIn = disk.BytesIn + _bytesIn,
            UpdatedAt = _time.GetUtcNow(),
        };
        AtomicFile.WriteAllBytes(_path, JsonSerializer.SerializeToUtf8Bytes(merged, s_json));
        _calls = _failures = _bytesOut = _bytesIn = 0;
        _writtenHealth = _mine.Health;
        _lastWrite = _time.GetTimestamp();
        _dirty = false;
        return true;
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;
}
