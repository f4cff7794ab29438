using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Storage;

/// <summary>
/// A flock(2) lock on a file, shared or exclusive, taken without waiting.
/// <para>
/// Dispose unlocks before it closes. A flock belongs to the open file description, and a child process started
/// meanwhile (fork, then exec) holds a copy of the descriptor until its exec closes it (close-on-exec). Closing
/// alone would leave the lock held for that moment, and a busy machine can stretch it to milliseconds: long enough
/// for an add right after a removal to be refused as if the removal still ran.
/// </para>
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private FileLock(SafeFileHandle handle) => _handle = handle;

    /// <summary>Takes the lock on <paramref name="path"/> (created, mode 0644); null when another open file holds a conflicting one.</summary>
    public static FileLock? TryTake(string path, bool exclusive)
    {
        var handle = NativeFileSystem.OpenLockFile(path);
        try
        {
            if (NativeFileSystem.TryLock(handle, exclusive, path))
            {
                return new FileLock(handle);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        handle.Dispose();
        return null;
    }

    /// <summary>Releases the lock, whoever else shares the descriptor, and closes it.</summary>
    public void Dispose()
    {
        if (!_handle.IsClosed)
        {
            NativeFileSystem.Unlock(_handle);
            _handle.Dispose();
        }
    }
}
