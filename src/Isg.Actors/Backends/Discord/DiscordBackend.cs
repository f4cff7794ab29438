using Isg.Actors.Backends.Remote;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Backends.Discord;

/// <summary>
/// Objects stored as attachments of messages a Discord webhook posts into a channel. Objects larger than the
/// attachment limit are split (see <see cref="DiscordPartStore"/>); which messages hold an object is kept in a
/// <see cref="RemoteObjectIndex"/> under the state directory, so listing is from the index (Discord cannot list
/// webhook messages). Get fetches messages again when their attachment URLs expired. Only sealed bytes and random
/// file names reach Discord; the webhook URL is never logged. Thread-safe.
/// </summary>
public sealed class DiscordBackend : RemoteObjectBackend
{
    /// <summary>The index file's name under the state directory.</summary>
    public const string IndexFileName = "discord-index.db";

    /// <summary>Opens the backend (creating its state directory and index if needed).</summary>
    public DiscordBackend(DiscordBackendOptions options, ILogger? logger = null)
        : this(Validated(options), new DiscordClient(options), logger ?? NullLogger.Instance)
    {
    }

    private DiscordBackend(DiscordBackendOptions options, DiscordClient client, ILogger logger)
        : base(options.Name, Path.Combine(options.StateDirectory, IndexFileName), new DiscordPartStore(options, client, logger), client, logger)
    {
    }

    private static DiscordBackendOptions Validated(DiscordBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }
}
