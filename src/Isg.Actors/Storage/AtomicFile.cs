namespace Isg.Actors.Storage;

/// <summary>Small files written all-or-nothing: temp file, fsync, rename, fsync of the directory.</summary>
public static class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="contents"/> atomically and durably.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            NativeFileSystem.FsyncPath(directory);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
