using System.Text.Json;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;

namespace Isg.Actors.Catalog;

/// <summary>The writer's peers-table and cluster-secret statements.</summary>
public sealed partial class CatalogWriter
{
    // A device has few networks it is reached on (home LAN, Wi-Fi, VPN, office); every stale address costs one connect
    // timeout per dial round before the next is tried, so a short list covers a laptop's moves without slowing redials.
    /// <summary>How many learned addresses a peer keeps (see <see cref="RememberPeerAddress"/>).</summary>
    public const int MaxLearnedAddresses = 4;

    private SqliteStatement? _peerExists;
    private SqliteStatement? _upsertPeer;
    private SqliteStatement? _recordClusterPeer;
    private SqliteStatement? _removePeer;
    private SqliteStatement? _peerAddresses;
    private SqliteStatement? _setLearnedAddresses;
    private SqliteStatement? _recordPeerSession;
    private SqliteStatement? _clearPeerConnections;
    private SqliteStatement? _deleteClusterSecret;

    /// <summary>
    /// Adds <paramref name="device"/> to the peers table, or updates it: a non-empty <paramref name="name"/> replaces
    /// the name, non-null <paramref name="addresses"/> replace the addresses, and Paired trust replaces Cluster trust
    /// (never the other way). Returns true when the device was not in the table. One transaction.
    /// </summary>
    public bool UpsertPeer(DeviceId device, string? name, IReadOnlyList<string>? addresses, PeerTrust trust)
    {
        if (!Enum.IsDefined(trust))
        {
            throw new ArgumentOutOfRangeException(nameof(trust), trust, "unknown trust");
        }

        _upsertPeer ??= Prepare("""
            INSERT INTO peers (device_id, name, addresses, trust, added_at) VALUES (?1, coalesce(?2, ''), coalesce(?3, '[]'), ?4, ?5)
            ON CONFLICT (device_id) DO UPDATE SET
                name = CASE WHEN ?2 IS NULL OR ?2 = '' THEN peers.name ELSE ?2 END,
                addresses = coalesce(?3, peers.addresses),
                trust = min(peers.trust, excluded.trust)
            """);
        return InTransaction(() =>
        {
            Span<byte> id = stackalloc byte[Hash256.Length];
            device.Hash.WriteTo(id);
            _upsertPeer.Bind(1, id);
            _upsertPeer.Bind(2, string.IsNullOrEmpty(name) ? null : name);
            _upsertPeer.Bind(3, addresses is null ? null : JsonSerializer.Serialize(addresses));
            _upsertPeer.Bind(4, (int)trust);
            _upsertPeer.Bind(5, _database.NowUnixMilliseconds());
            var existed = PeerExists(id);
            _upsertPeer.Execute();
            return !existed;
        });
    }

    /// <summary>
    /// Records a device the node admitted because it proved the cluster secret: added with Cluster trust and the name it
    /// gave (kept when the table already names it). A paired device stays paired. Returns true when it was new.
    /// </summary>
    public bool RecordClusterPeer(DeviceId device, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _recordClusterPeer ??= Prepare("""
            INSERT INTO peers (device_id, name, addresses, trust, added_at) VALUES (?1, ?2, '[]', 2, ?3)
            ON CONFLICT (device_id) DO UPDATE SET name = CASE WHEN peers.name = '' THEN excluded.name ELSE peers.name END
            """);
        return InTransaction(() =>
        {
            Span<byte> id = stackalloc byte[Hash256.Length];
            device.Hash.WriteTo(id);
            _recordClusterPeer.Bind(1, id);
            _recordClusterPeer.Bind(2, name);
            _recordClusterPeer.Bind(3, _database.NowUnixMilliseconds());
            var existed = PeerExists(id);
            _recordClusterPeer.Execute();
            return !existed;
        });
    }

    /// <summary>Removes <paramref name="device"/> from the peers table; false when it was not there.</summary>
    public bool RemovePeer(DeviceId device)
    {
        _removePeer ??= Prepare("DELETE FROM peers WHERE device_id = ?1");
        return InTransaction(() =>
        {
            Span<byte> id = stackalloc byte[Hash256.Length];
            device.Hash.WriteTo(id);
            _removePeer.Bind(1, id);
            return _removePeer.Execute() > 0;
        });
    }

    /// <summary>
    /// Remembers that an outbound dial to <paramref name="device"/> succeeded at <paramref name="address"/> ("HOST:PORT",
    /// canonical as PeerAddress.Format writes it, compared as text): moves or inserts it at the front of the device's learned
    /// addresses, dropping the oldest beyond <see cref="MaxLearnedAddresses"/>. Does nothing for an address among the
    /// device's given addresses (dialled anyway) or a device not in the table. Returns whether the row changed. One
    /// transaction.
    /// </summary>
    public bool RememberPeerAddress(DeviceId device, string address) => RememberPeerAddress(device, address, out _);

    /// <summary>
    /// As <see cref="RememberPeerAddress(DeviceId, string)"/>, and gives the device's learned addresses after the call
    /// (empty for a device not in the table), so a caller keeping them in memory need not read the row again.
    /// </summary>
    public bool RememberPeerAddress(DeviceId device, string address, out IReadOnlyList<string> learnedAddresses)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        IReadOnlyList<string> learnedAfter = [];
        _peerAddresses ??= Prepare("SELECT addresses, learned_addresses FROM peers WHERE device_id = ?1");
        _setLearnedAddresses ??= Prepare("UPDATE peers SET learned_addresses = ?2 WHERE device_id = ?1");
        var changed = InTransaction(() =>
        {
            Span<byte> id = stackalloc byte[Hash256.Length];
            device.Hash.WriteTo(id);
            string given;
            string learned;
            _peerAddresses.Bind(1, id);
            try
            {
                if (!_peerAddresses.Step())
                {
                    return false;
                }

                given = _peerAddresses.Text(0);
                learned = _peerAddresses.Text(1);
            }
            finally
            {
                _peerAddresses.Reset();
            }

            var before = JsonSerializer.Deserialize<string[]>(learned) ?? [];
            learnedAfter = before;
            if ((JsonSerializer.Deserialize<string[]>(given) ?? []).Contains(address, StringComparer.Ordinal))
            {
                return false;
            }

            string[] after = [address, .. before.Where(a => !string.Equals(a, address, StringComparison.Ordinal)).Take(MaxLearnedAddresses - 1)];
            if (after.SequenceEqual(before, StringComparer.Ordinal))
            {
                return false;
            }

            _setLearnedAddresses.Bind(1, id);
            _setLearnedAddresses.Bind(2, JsonSerializer.Serialize(after));
            learnedAfter = after;
            return _setLearnedAddresses.Execute() > 0;
        });
        learnedAddresses = learnedAfter;
        return changed;
    }

    /// <summary>
    /// Records connection activity in one transaction: last seen, traffic added to the totals, and connected-since (null:
    /// not connected any more). Devices not in the table are skipped (removed meanwhile).
    /// </summary>
    public void RecordPeerSessions(IReadOnlyList<PeerSessionRecord> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        if (sessions.Count == 0)
        {
            return;
        }

        _recordPeerSession ??= Prepare("""
            UPDATE peers SET last_seen = max(coalesce(last_seen, 0), ?2), bytes_in = bytes_in + ?3, bytes_out = bytes_out + ?4, connected_since = ?5
            WHERE device_id = ?1
            """);
        InTransaction(() =>
        {
            Span<byte> id = stackalloc byte[Hash256.Length];
            foreach (var session in sessions)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(session.BytesIn, nameof(sessions));
                ArgumentOutOfRangeException.ThrowIfNegative(session.BytesOut, nameof(sessions));
                session.Device.Hash.WriteTo(id);
                _recordPeerSession.Bind(1, id);
                _recordPeerSession.Bind(2, session.SeenAt.ToUnixTimeMilliseconds());
                _recordPeerSession.Bind(3, session.BytesIn);
                _recordPeerSession.Bind(4, session.BytesOut);
                if (session.ConnectedSince is { } since)
                {
                    _recordPeerSession.Bind(5, since.ToUnixTimeMilliseconds());
                }
                else
                {
                    _recordPeerSession.BindNull(5);
                }

                _recordPeerSession.Execute();
            }

            return sessions.Count;
        });
    }

    /// <summary>Marks every peer as not connected (a node starting: whatever an earlier run recorded is over).</summary>
    public void ClearPeerConnections()
    {
        _clearPeerConnections ??= Prepare("UPDATE peers SET connected_since = NULL WHERE connected_since IS NOT NULL");
        InTransaction(() => _clearPeerConnections.Execute());
    }

    /// <summary>Stores the sealed cluster secret (see Peers.ClusterSecret), or removes it for null.</summary>
    public void SetClusterSecretBox(byte[]? box)
    {
        if (box is not null)
        {
            SetConfig(CatalogReader.ClusterSecretKey, Convert.ToBase64String(box));
            return;
        }

        _deleteClusterSecret ??= Prepare("DELETE FROM config WHERE key = ?1");
        InTransaction(() =>
        {
            _deleteClusterSecret.Bind(1, CatalogReader.ClusterSecretKey);
            return _deleteClusterSecret.Execute();
        });
    }

    private bool PeerExists(ReadOnlySpan<byte> id)
    {
        _peerExists ??= Prepare("SELECT 1 FROM peers WHERE device_id = ?1");
        _peerExists.Bind(1, id);
        try
        {
            return _peerExists.Step();
        }
        finally
        {
            _peerExists.Reset();
        }
    }
}
