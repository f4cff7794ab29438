using Isg.Protocol.Peers;

namespace Isg.Actors.Catalog;

/// <summary>
/// A device in the peers table: its id, the name it is known by, the addresses given for it ("HOST:PORT", may be
/// empty), the other addresses an outbound dial to it succeeded at ("HOST:PORT", most recent first, at most
/// <see cref="CatalogWriter.MaxLearnedAddresses"/>), why it is trusted, when it was added and last seen, the traffic
/// exchanged with it over all connections (frame bytes, both directions) and, while the running node holds a connection
/// to it, since when.
/// </summary>
public sealed record PeerRecord(
    DeviceId Device,
    string Name,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<string> LearnedAddresses,
    PeerTrust Trust,
    DateTimeOffset AddedAt,
    DateTimeOffset? LastSeen,
    long BytesIn,
    long BytesOut,
    DateTimeOffset? ConnectedSince);
