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
public sealed class TelegramBackend : RemoteObjectBackend
{
    /// <summary>The index file's name under the state directory.</summary>
    public const string IndexFileName = "telegram-index.db";

    /// <summary>Opens the backend (creating its state directory and index if needed).</summary>
    public TelegramBackend(TelegramBackendOptions options, ILogger? logger = null)
        : this(Validated(options), new TelegramClient(options), logger ?? NullLogger.Instance)
    {
    }

    private TelegramBackend(TelegramBackendOptions options, TelegramClient client, ILogger logger)
        : base(options.Name, Path.Combine(options.StateDirectory, IndexFileName), new TelegramPartStore(options, client, logger), client, logger)
    {
    }

    private static TelegramBackendOptions Validated(TelegramBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }
}
