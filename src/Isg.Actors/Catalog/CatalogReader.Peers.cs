using System.Text.Json;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Microsoft.Data.Sqlite;

namespace Isg.Actors.Catalog;

/// <summary>The reader's peers-table and cluster-secret queries.</summary>
public sealed partial class CatalogReader
{
    /// <summary>The config key holding the sealed cluster secret (base64 of its box).</summary>
    internal const string ClusterSecretKey = "peers.cluster-secret";

    private const string PeerColumns = "device_id, name, addresses, trust, added_at, last_seen, bytes_in, bytes_out, connected_since, learned_addresses";
    private const string PeerSql = $"SELECT {PeerColumns} FROM peers WHERE device_id = $p0";
    private const string PeersSql = $"SELECT {PeerColumns} FROM peers ORDER BY added_at, device_id";

    /// <summary>The peer with id <paramref name="device"/>; null when the table does not hold it.</summary>
    public PeerRecord? GetPeer(DeviceId device) => Run(PeerSql, 1, command =>
    {
        command.Parameters[0].Value = device.Hash.ToArray();
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadPeer(reader) : null;
    });

    /// <summary>Every peer, oldest first.</summary>
    public IReadOnlyList<PeerRecord> ListPeers() => Run(PeersSql, 0, command =>
    {
        var peers = new List<PeerRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            peers.Add(ReadPeer(reader));
        }

        return peers;
    });

    /// <summary>The sealed cluster secret (open it with Peers.ClusterSecret); null when none is set.</summary>
    public byte[]? GetClusterSecretBox() => GetConfig(ClusterSecretKey) is { Length: > 0 } text ? Convert.FromBase64String(text) : null;

    private static PeerRecord ReadPeer(SqliteDataReader reader)
    {
        static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
            reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

        var addresses = JsonSerializer.Deserialize<string[]>(reader.GetString(2)) ?? [];
        var learned = JsonSerializer.Deserialize<string[]>(reader.GetString(9)) ?? [];
        return new PeerRecord(
            DeviceId.FromHash(Hash256.FromBytes(reader.GetFieldValue<byte[]>(0))),
            reader.GetString(1),
            addresses,
            learned,
            (PeerTrust)reader.GetInt32(3),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
            Time(reader, 5),
            reader.GetInt64(6),
            reader.GetInt64(7),
            Time(reader, 8));
    }
}
