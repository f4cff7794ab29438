using System.Globalization;
using Isg.Actors.Storage;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Backends.Local;

/// <summary>
/// Where one store instance appends large objects: <c>packs/&lt;instance&gt;-&lt;n&gt;.pack</c>, each filled up to
/// <see cref="PackLimit"/>, every record at an aligned offset so it can be written and read with direct I/O. Only this
/// instance appends to its packs, so writers just reserve a range under a lock and write it outside. Where the disk has
/// room, a new pack is allocated whole when it starts, so that concurrent direct writes do not queue for the file (see
/// <see cref="Preallocate"/>), and closing it gives back what its records did not use. A pack with a write completed
/// since the last flush is dirty until <see cref="TakeDirty"/> hands it to the flush. Thread-safe.
/// </summary>
internal sealed class PackAppender : IDisposable
{
    /// <summary>A pack's size before the next one is started: few enough creations, and gc repacks in pieces this big.</summary>
    public const long PackLimit = 64L << 20;

    /// <summary>The file name suffix of packs.</summary>
    public const string Suffix = ".pack";

    private readonly string _directory;
    private readonly string _instance;
    private readonly long _preallocateMinimumFree;
    private readonly Lock _lock = new();
    private readonly HashSet<PackFile> _dirty = [];
    private readonly List<PackFile> _open = [];
    private PackFile? _current;
    private int _sequence;
    private bool _created;

    /// <param name="directory">The packs folder.</param>
    /// <param name="instance">The store instance's name part.</param>
    /// <param name="preallocateMinimumFree">Free space the file system must have for a new pack to be allocated whole.</param>
    public PackAppender(string directory, string instance, long preallocateMinimumFree)
    {
        _directory = directory;
        _instance = instance;
        _preallocateMinimumFree = preallocateMinimumFree;
    }

    /// <summary>The instance part of a pack's file name, or null when <paramref name="packName"/> is not a pack's.</summary>
    public static string? InstanceOf(string packName)
    {
        var dash = packName.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && packName.EndsWith(Suffix, StringComparison.Ordinal) ? packName[..dash] : null;
    }

    /// <summary>
    /// Reserves an aligned range for <paramref name="length"/> bytes in the current pack (starting a new one when it is
    /// full) and counts the caller as its user until <see cref="Complete"/>.
    /// </summary>
    public (PackFile Pack, long Offset) Reserve(int length)
    {
        var padded = AlignedBuffer.PaddedLength(length);
        lock (_lock)
        {
            if (_current is null || (_current.Reserved > 0 && _current.Reserved + padded > PackLimit))
            {
                StartPack();
            }

            var pack = _current!;
            var offset = pack.Reserved;
            pack.Reserved += padded;
            pack.Users++;
            return (pack, offset);
        }
    }

    /// <summary>Ends a write: a written one makes its pack dirty (the next flush syncs it).</summary>
    public void Complete(PackFile pack, bool written)
    {
        lock (_lock)
        {
            pack.Users--;
            if (written)
            {
                _dirty.Add(pack);
            }
        }
    }

    /// <summary>Whether <paramref name="packName"/> is one of this instance's packs that still takes records.</summary>
    public bool IsAppending(string packName)
    {
        lock (_lock)
        {
            return _open.Exists(p => p.Name == packName && (!p.Retired || p.Users > 0));
        }
    }

    /// <summary>
    /// The packs written since the last call, and whether a pack was created since (its directory entry needs a sync).
    /// A flush that fails gives them back with <see cref="KeepDirty"/>.
    /// </summary>
    public (List<PackFile> Packs, bool Created) TakeDirty()
    {
        lock (_lock)
        {
            var packs = _dirty.ToList();
            _dirty.Clear();
            var created = _created;
            _created = false;
            return (packs, created);
        }
    }

    /// <summary>Makes packs dirty again after a failed flush.</summary>
    public void KeepDirty(List<PackFile> packs, bool created)
    {
        lock (_lock)
        {
            _dirty.UnionWith(packs);
            _created |= created;
        }
    }

    /// <summary>After a flush: closes the retired packs nobody writes and nothing left unflushed.</summary>
    public void CloseIdle()
    {
        lock (_lock)
        {
            foreach (var pack in _open.Where(p => p.Retired && p.Users == 0 && !_dirty.Contains(p)).ToList())
            {
                pack.Close();
                _open.Remove(pack);
            }
        }
    }

    /// <summary>Closes every pack (unflushed writes stay unflushed).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var pack in _open)
            {
                pack.Close();
            }

            _open.Clear();
            _current = null;
        }
    }

    // Direct writes that grow a file are serialised by ext4: each holds the inode's lock exclusively until the disk has
    // the data, and the writers queued behind it spin for the lock. Writes inside the file's size share the lock and
    // reach the disk side by side. So a new pack is given its whole size at once, while no write is in flight to it
    // (fallocate waits for those). A node fetching a 256 MiB file from 3 peers spent 60-100 ms of CPU in its block
    // writes, most of it spinning for that lock; 25 ms with the pack allocated ahead.
    private long Preallocate(SafeFileHandle handle)
    {
        try
        {
            if (new DriveInfo(_directory).AvailableFreeSpace < _preallocateMinimumFree)
            {
                return 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }

        if (NativeFileSystem.TryAllocate(handle, 0, PackLimit))
        {
            return PackLimit;
        }

        // Whatever part fallocate left goes back: the pack grows by its writes instead.
        RandomAccess.SetLength(handle, 0);
        return 0;
    }

    // Under _lock.
    private void StartPack()
    {
        if (_current is not null)
        {
            _current.Retired = true;
        }

        Directory.CreateDirectory(_directory);
        var name = string.Create(CultureInfo.InvariantCulture, $"{_instance}-{++_sequence:x6}{Suffix}");
        var path = Path.Combine(_directory, name);
        // CreateNew: a name is never reused, so a record can never land in another instance's pack.
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
        _current = new PackFile(name, path, handle) { Allocated = Preallocate(handle) };
        _open.Add(_current);
        _created = true;
    }
}
