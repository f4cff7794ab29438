using System.Globalization;
using Isg.Actors.Catalog;
using Isg.Actors.Peers;

namespace Isg.Node.Json;

/// <summary>The JSON shapes of peers, shared by `isg peer list --json`, `isg id --json` and the HTTP API's `/api/peers`.</summary>
public static class PeerJson
{
    /// <summary>A peer from the table alone; <paramref name="state"/> is what the caller knows of its connection.</summary>
    public static object Record(PeerRecord record, string state)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new
        {
            deviceId = record.Device.ToString(),
            shortId = record.Device.ShortId,
            name = record.Name,
            state,
            trust = Trust(record.Trust),
            addresses = record.Addresses,
            learnedAddresses = record.LearnedAddresses,
            addedAt = Time(record.AddedAt),
            lastSeen = Time(record.LastSeen),
            connectedSince = state == "connected" ? Time(record.ConnectedSince) : null,
            bytesIn = record.BytesIn,
            bytesOut = record.BytesOut,
            remoteAddress = (string?)null,
            lastError = (string?)null,
        };
    }

    /// <summary>A peer as the running node sees it.</summary>
    public static object Status(PeerStatus status, PeerRecord? record)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new
        {
            deviceId = status.Device.ToString(),
            shortId = status.Device.ShortId,
            name = status.Name,
            state = State(status.State),
            trust = status.Trust is { } trust ? Trust(trust) : null,
            addresses = status.Addresses,
            addedAt = record is null ? null : Time(record.AddedAt),
            lastSeen = Time(status.LastSeen),
            connectedSince = Time(status.ConnectedSince),
            bytesIn = status.BytesIn,
            bytesOut = status.BytesOut,
            remoteAddress = status.RemoteEndPoint?.ToString(),
            lastError = status.LastError,
        };
    }

    /// <summary>The whole `/api/peers` answer: this node's device id, where it listens for peers, and its peers.</summary>
    public static object Peers(PeersStatus status, IReadOnlyList<PeerRecord> records)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(records);
        var byDevice = records.ToDictionary(r => r.Device);
        return new
        {
            deviceId = status.LocalDevice.ToString(),
            listen = status.ListenEndPoint?.ToString(),
            peers = status.Peers.Select(p => Status(p, byDevice.GetValueOrDefault(p.Device))).ToArray(),
        };
    }

    /// <summary>"connected", "connecting" or "disconnected".</summary>
    public static string State(PeerState state) => state switch
    {
        PeerState.Connected => "connected",
        PeerState.Connecting => "connecting",
        _ => "disconnected",
    };

    /// <summary>"paired" or "cluster".</summary>
    public static string Trust(PeerTrust trust) => trust == PeerTrust.Cluster ? "cluster" : "paired";

    private static string? Time(DateTimeOffset? time) => time?.ToString("O", CultureInfo.InvariantCulture);
}
