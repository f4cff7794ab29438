using System.CommandLine;
using System.Security.Cryptography;
using Isg.Actors.Hosting;
using Isg.Actors.Repositories;
using Isg.Node.Cli.Output;
using Isg.Protocol.Keys;
using Microsoft.Extensions.Logging;

namespace Isg.Node.Cli;

/// <summary>
/// What one CLI invocation needs: output, logging, the repository path, and helpers to open the
/// repository and start the in-process node (the same actor tree `node run` hosts).
/// </summary>
public sealed class CommandContext : IDisposable
{
    private CommandContext(ConsoleOutput output, ILoggerFactory loggerFactory, string repositoryPath)
    {
        Output = output;
        LoggerFactory = loggerFactory;
        RepositoryPath = repositoryPath;
    }

    /// <summary>Console output for results and diagnostics.</summary>
    public ConsoleOutput Output { get; }

    /// <summary>Logging to stderr at the level -q/-v chose.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Absolute repository folder.</summary>
    public string RepositoryPath { get; }

    /// <summary>Builds the context from the parsed global options.</summary>
    public static CommandContext Create(ParseResult parse, GlobalOptions options)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(options);
        var verbosity = parse.GetValue(options.Quiet) ? Verbosity.Quiet
            : parse.GetValue(options.Verbose) ? Verbosity.Verbose
            : Verbosity.Normal;
        var output = new ConsoleOutput(Console.Out, Console.Error, !Console.IsOutputRedirected, verbosity);
        var loggerFactory = CliLogging.Create(verbosity);
        return new CommandContext(output, loggerFactory, RepositoryLocator.Resolve(parse.GetValue(options.Repo)));
    }

    /// <summary>Opens the existing repository, asking for the passphrase.</summary>
    public Repository OpenRepository()
    {
        if (!Repository.Exists(RepositoryPath))
        {
            throw new CliException(ExitCode.NoRepository,
                $"no Isg repository at {RepositoryPath}: run 'isg init {RepositoryPath}' first (or pass --repo / set ISG_REPO)");
        }

        var passphrase = PassphraseReader.Read(confirm: false);
        try
        {
            return Repository.Open(RepositoryPath, passphrase, LoggerFactory);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passphrase);
        }
    }

    /// <summary>Creates a repository at <paramref name="root"/>, asking for its passphrase twice.</summary>
    public Repository InitializeRepository(string root, Argon2Parameters kdf)
    {
        var passphrase = PassphraseReader.Read(confirm: true);
        try
        {
            return Repository.Initialize(root, passphrase, new RepositoryInitOptions(kdf), LoggerFactory);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passphrase);
        }
    }

    /// <summary>Makes <paramref name="root"/> a new device of the repository whose descriptor and key are in <paramref name="from"/>, asking for its passphrase once.</summary>
    public Repository JoinRepository(string root, string from)
    {
        var passphrase = PassphraseReader.Read(confirm: false);
        try
        {
            return Repository.Join(root, from, passphrase, LoggerFactory);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passphrase);
        }
    }

    /// <summary>Opens the repository and starts the node's actor tree on it.</summary>
    public StorageNode StartNode()
    {
        var repository = OpenRepository();
        try
        {
            return StorageNode.Start(repository, LoggerFactory, new StorageNodeOptions());
        }
        catch
        {
            repository.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => LoggerFactory.Dispose();
}
