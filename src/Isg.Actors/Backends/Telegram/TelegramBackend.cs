using System.Buffers;
using Isg.Actors.Backends.Remote;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Backends.Telegram;

/// <summary>
/// Objects stored as documents a Telegram bot posts into a channel (Bot API). Objects larger than the download limit
/// are split into several documents (see <see cref="TelegramPartStore"/>); their message and file ids are kept in a
/// <see cref="RemoteObjectIndex"/> under the state directory, so listing is from the index (the Bot API cannot list a
/// channel). Only sealed bytes and random file names reach Telegram; the bot token is never logged. Thread-safe.
/// </summary>
public sealed class TelegramBackend : IStorageBackend, IDisposable
{
    /// <summary>The index file's name under the state directory.</summary>
    public const string IndexFileName = "telegram-index.db";

    private readonly TelegramClient _client;
    private readonly RemoteObjectStore _store;

    /// <summary>Opens the backend (creating its state directory and index if needed).</summary>
    public TelegramBackend(TelegramBackendOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logger ??= NullLogger.Instance;
        Name = options.Name;
        _client = new TelegramClient(options);
        _store = new RemoteObjectStore(options.Name, Path.Combine(options.StateDirectory, IndexFileName),
            new TelegramPartStore(options, _client, logger), logger);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    /// <remarks>Objects of any size a buffer holds (split here); listing from the index; no quota.</remarks>
    public BackendCapabilities Capabilities { get; } = new(Array.MaxLength, AcceptsOnlyVideo: false, IsLocal: false) { SupportsList = false };

    /// <summary>Objects recorded and their total bytes.</summary>
    public (long Objects, long Bytes) Usage() => _store.Usage();

    /// <inheritdoc/>
    public Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _store.PutAsync(objectName, data, cancellationToken);

    /// <inheritdoc/>
    public Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken) =>
        _store.GetAsync(objectName, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>From the index: no request.</remarks>
    public Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled<bool>(cancellationToken) : Task.FromResult(_store.Exists(objectName));

    /// <inheritdoc/>
    public Task DeleteAsync(string objectName, CancellationToken cancellationToken) =>
        _store.DeleteAsync(objectName, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken) => _store.ListAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>A put is durable when it returns (documents sent, index committed): nothing to do.</remarks>
    public Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    /// <inheritdoc/>
    public BackendFailureKind Classify(Exception exception) => RemoteFailures.Classify(exception);

    /// <inheritdoc/>
    public void Dispose()
    {
        _store.Dispose();
        _client.Dispose();
    }
}
