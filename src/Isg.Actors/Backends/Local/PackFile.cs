using Isg.Actors.Storage;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Backends.Local;

/// <summary>
/// One pack file a store instance appends large objects to, with the handles it writes through: buffered, and
/// opened on demand, direct. Its users (writes in flight), retirement and dirtiness are kept by <see cref="PackAppender"/>
/// under its lock.
/// </summary>
internal sealed class PackFile
{
    private SafeFileHandle? _direct;

    public PackFile(string name, string path, SafeFileHandle handle)
    {
        Name = name;
        Path = path;
        Handle = handle;
    }

    /// <summary>The file name under the packs folder, as the index records it.</summary>
    public string Name { get; }

    /// <summary>Full path.</summary>
    public string Path { get; }

    /// <summary>The buffered read-write handle (also what a flush fsyncs).</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>Bytes reserved so far: where the next record starts (always aligned).</summary>
    public long Reserved { get; set; }

    /// <summary>
    /// Bytes allocated ahead when the pack was created (see <see cref="PackAppender"/>); 0 when it grows by its writes.
    /// The file's size is the larger of this and <see cref="Reserved"/> until <see cref="Close"/> gives the rest back.
    /// </summary>
    public long Allocated { get; init; }

    /// <summary>Writes reserved and not yet completed.</summary>
    public int Users { get; set; }

    /// <summary>No more records go here: a newer pack took over.</summary>
    public bool Retired { get; set; }

    /// <summary>Whether the handles are closed (retired, idle and flushed).</summary>
    public bool Closed { get; private set; }

    /// <summary>
    /// A second handle with O_DIRECT, or null when the file system refuses it for this file. Opened once; the buffered
    /// handle stays for small writes and for fsync.
    /// </summary>
    public SafeFileHandle? DirectHandle()
    {
        lock (this)
        {
            if (_direct is null && !Closed)
            {
                var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
                if (NativeFileSystem.TryEnableDirectIo(handle))
                {
                    _direct = handle;
                }
                else
                {
                    handle.Dispose();
                }
            }

            return _direct;
        }
    }

    /// <summary>
    /// Gives back the space allocated ahead beyond the last record and closes both handles; called once the pack is
    /// retired, idle and flushed, or when the store closes.
    /// </summary>
    public void Close()
    {
        lock (this)
        {
            Closed = true;
            if (Allocated > Reserved)
            {
                try
                {
                    RandomAccess.SetLength(Handle, Reserved);
                }
                catch (IOException)
                {
                    // The tail stays allocated: it reads as zeros and compaction counts it as dead space.
                }
            }

            _direct?.Dispose();
            Handle.Dispose();
        }
    }
}
