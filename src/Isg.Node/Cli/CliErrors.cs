using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Repositories;
using Isg.Actors.Storage;
using Isg.Actors.Transfers;
using Isg.Actors.Video;
using Isg.Node.Cli.Output;
using Isg.Protocol.Errors;

namespace Isg.Node.Cli;

/// <summary>Maps exceptions that reach the top of a command to one clear line and an exit code.</summary>
public static class CliErrors
{
    /// <summary>Reports <paramref name="exception"/> once on stderr and returns the exit code it means.</summary>
    public static ExitCode Report(Exception exception, ConsoleOutput output)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(output);
        var (code, message) = Classify(exception);
        output.Error(message);
        if (code == ExitCode.Failure && output.Verbosity == Verbosity.Verbose)
        {
            output.Detail(exception.ToString());
        }

        return code;
    }

    /// <summary>The exit code and message for <paramref name="exception"/>.</summary>
    public static (ExitCode Code, string Message) Classify(Exception exception) => exception switch
    {
        CliException cli => (cli.ExitCode, cli.Message),
        RepositoryException repository => (repository.Kind switch
        {
            RepositoryErrorKind.NotFound => ExitCode.NoRepository,
            RepositoryErrorKind.WrongPassphrase => ExitCode.WrongPassphrase,
            RepositoryErrorKind.Damaged => ExitCode.CatalogDamaged,
            RepositoryErrorKind.AlreadyExists => ExitCode.Usage,
            RepositoryErrorKind.BadSetting => ExitCode.Usage,
            RepositoryErrorKind.Busy => ExitCode.CatalogDamaged,
            _ => ExitCode.Failure,
        }, repository.Message),
        // A full disk under the catalogue is a storage error like a full block store, not a damaged catalogue.
        CatalogException { Kind: CatalogErrorKind.DiskFull } full => (ExitCode.StorageError, full.Message),
        CatalogException catalog => (ExitCode.CatalogDamaged, catalog.Message),
        CatalogPathNotFoundException notInCatalog => (ExitCode.NotFound, notInCatalog.Message),
        CatalogPathIsDirectoryException directory => (ExitCode.Usage, directory.Message),
        SnapshotNotFoundException snapshot => (ExitCode.NotFound, snapshot.Message),
        SnapshotNameTakenException taken => (ExitCode.Usage, taken.Message),
        DataIntegrityException integrity => (ExitCode.DataCorrupt, integrity.Message),
        BackendException backend => (ExitCode.StorageError, backend.Message),
        ProtocolException protocol => (ExitCode.Usage, protocol.Message),
        VideoException video => (video.Kind switch
        {
            VideoErrorKind.WrongPassphrase => ExitCode.WrongPassphrase,
            VideoErrorKind.BadInput => ExitCode.Usage,
            _ => ExitCode.DataCorrupt,
        }, video.Message),
        VideoToolException tool => (ExitCode.Failure, tool.Message),
        OperationCanceledException => (ExitCode.Interrupted, "interrupted; everything acknowledged so far is kept"),
        DllNotFoundException dll => (ExitCode.Failure,
            $"a native library is missing ({dll.Message}); install it with: apt-get install libzstd1 libargon2-1"),
        IOException io when NativeFileSystem.IsDiskFull(io) =>
            (ExitCode.StorageError, $"disk full: {io.Message}"),
        UnauthorizedAccessException denied => (ExitCode.Failure, $"permission denied: {denied.Message}"),
        FileNotFoundException notFound => (ExitCode.NotFound, notFound.Message),
        DirectoryNotFoundException notFound => (ExitCode.NotFound, notFound.Message),
        _ => (ExitCode.Failure, $"{exception.GetType().Name}: {exception.Message}"),
    };
}
