using Isg.Protocol.Peers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Catalog;

/// <summary>How <see cref="CatalogDatabase.Open"/> opens the catalogue.</summary>
public sealed record CatalogDatabaseOptions
{
    /// <summary>How long a connection waits for another one's lock before failing with <see cref="CatalogErrorKind.Busy"/>. Positive.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Clock for created_at, added_at and access times.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The device whose local writes are logged as replicated catalogue operations (DESIGN.md §5); null logs none
    /// (a repository without a node identity yet: <see cref="CatalogWriter.RecordMissingOperations"/> logs them later).
    /// </summary>
    public DeviceId? LocalDevice { get; init; }

    /// <summary>Receives one line per applied migration.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (BusyTimeout <= TimeSpan.Zero || BusyTimeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"BusyTimeout must be in (0, 1 h], got {BusyTimeout}", nameof(BusyTimeout));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(Logger);
    }
}
