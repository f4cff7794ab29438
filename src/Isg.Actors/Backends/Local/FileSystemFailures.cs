using Isg.Actors.Storage;

namespace Isg.Actors.Backends.Local;

/// <summary>How backends that keep objects in files on this machine classify what the file system throws.</summary>
public static class FileSystemFailures
{
    private const int ErrnoIo = 5;
    private const int ErrnoReadOnlyFileSystem = 30;
    private const int ErrnoNameTooLong = 36;

    /// <summary>
    /// A <see cref="BackendException"/>'s own kind; a missing file or folder NotFound; permission denied Unauthorized;
    /// an I/O failure retrying cannot mend (<see cref="IsPermanent"/>) Permanent, any other I/O failure and
    /// cancellation Transient; anything else (a bug) Permanent.
    /// </summary>
    public static BackendFailureKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            BackendException backend => backend.Kind,
            FileNotFoundException or DirectoryNotFoundException => BackendFailureKind.NotFound,
            UnauthorizedAccessException => BackendFailureKind.Unauthorized,
            IOException io when IsPermanent(io) => BackendFailureKind.Permanent,
            IOException or OperationCanceledException => BackendFailureKind.Transient,
            _ => BackendFailureKind.Permanent,
        };
    }

    /// <summary>Whether an I/O failure stays until someone acts: disk full or over quota, a read-only file system, EIO, a name too long.</summary>
    public static bool IsPermanent(IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return NativeFileSystem.IsDiskFull(exception)
            || NativeFileSystem.Errno(exception) is ErrnoReadOnlyFileSystem or ErrnoIo or ErrnoNameTooLong;
    }
}
