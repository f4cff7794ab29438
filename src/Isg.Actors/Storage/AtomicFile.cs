namespace Isg.Actors.Storage;

/// <summary>Small files written all-or-nothing: temp file, fsync, rename, fsync of the directory.</summary>
public static class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="contents"/> atomically and durably.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var temp = TempPathFor(path, out var directory);
        try
        {
            WriteDurably(temp, contents, mode);
            File.Move(temp, path, overwrite: true);
            NativeFileSystem.FsyncPath(directory);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> with <paramref name="contents"/> atomically and durably unless it exists;
    /// false (and nothing written) when it does, e.g. because another process created it first. The final step is
    /// a link(2), which never replaces an existing file.
    /// </summary>
    public static bool TryCreateNew(string path, ReadOnlySpan<byte> contents, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var temp = TempPathFor(path, out var directory);
        try
        {
            WriteDurably(temp, contents, mode);

            // link(2) fails with EEXIST when the name is taken, atomically; File.Move checks then renames, which races.
            if (!NativeFileSystem.TryLink(temp, path))
            {
                return false;
            }

            NativeFileSystem.FsyncPath(directory);
            return true;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    // A hidden name beside the target, unique per call, so writers never share a temp file.
    private static string TempPathFor(string path, out string directory)
    {
        ArgumentNullException.ThrowIfNull(path);
        directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
    }

    private static void WriteDurably(string temp, ReadOnlySpan<byte> contents, UnixFileMode mode)
    {
        using var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        });
        stream.Write(contents);
        stream.Flush(flushToDisk: true);
    }
}
