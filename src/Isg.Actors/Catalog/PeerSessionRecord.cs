using Isg.Protocol.Peers;

namespace Isg.Actors.Catalog;

/// <summary>
/// What the node records about a connection to <paramref name="Device"/>: seen at <paramref name="SeenAt"/>,
/// <paramref name="BytesIn"/> and <paramref name="BytesOut"/> more frame bytes since the last record, and connected
/// since <paramref name="ConnectedSince"/> (null once the connection ended).
/// </summary>
public sealed record PeerSessionRecord(DeviceId Device, DateTimeOffset SeenAt, long BytesIn, long BytesOut, DateTimeOffset? ConnectedSince);
