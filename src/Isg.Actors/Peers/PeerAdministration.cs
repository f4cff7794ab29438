using Isg.Actors.Catalog;
using Isg.Actors.Repositories;
using Isg.Protocol.Peers;

namespace Isg.Actors.Peers;

/// <summary>
/// Pairs and unpairs devices and sets the cluster secret (the catalogue's peers table and the sealed secret). A running
/// node picks the changes up at its next handshake (pairing) or refresh (addresses, removals, the secret). Failures are
/// <see cref="RepositoryException"/>s of kind BadSetting.
/// </summary>
public static class PeerAdministration
{
    /// <summary>The longest name a peer may be given.</summary>
    public const int MaxNameLength = 64;

    /// <summary>
    /// Pairs <paramref name="device"/>, or updates it when already known: a non-empty <paramref name="name"/> replaces
    /// its name, non-empty <paramref name="addresses"/> ("HOST:PORT") replace its addresses, and a device admitted by the
    /// cluster secret becomes paired. Refuses this node's own id, bad addresses and overlong names. Returns the record
    /// and whether the device is new.
    /// </summary>
    public static (PeerRecord Peer, bool Added) Add(Repository repository, DeviceId device, string? name, IReadOnlyList<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(addresses);
        using (var identity = repository.LoadIdentity())
        {
            if (identity.DeviceId == device)
            {
                throw new RepositoryException(RepositoryErrorKind.BadSetting, $"{device} is this node's own device id");
            }
        }

        name = name?.Trim();
        if (name is { Length: > MaxNameLength } || (name is not null && name.Any(char.IsControl)))
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"a peer name has at most {MaxNameLength} printable characters");
        }

        var canonical = new List<string>();
        foreach (var address in addresses)
        {
            if (!PeerAddress.TryParse(address, out var endpoint, out var error))
            {
                throw new RepositoryException(RepositoryErrorKind.BadSetting, "--address " + error);
            }

            var text = PeerAddress.Format(endpoint);
            if (!canonical.Contains(text, StringComparer.Ordinal))
            {
                canonical.Add(text);
            }
        }

        bool added;
        using (var writer = repository.Catalog.CreateWriter())
        {
            added = writer.UpsertPeer(device, name, canonical.Count > 0 ? canonical : null, PeerTrust.Paired);
        }

        using var reader = repository.Catalog.CreateReader();
        return (reader.GetPeer(device)!, added);
    }

    /// <summary>Unpairs <paramref name="device"/>; false when it was not in the table.</summary>
    public static bool Remove(Repository repository, DeviceId device)
    {
        ArgumentNullException.ThrowIfNull(repository);
        using var writer = repository.Catalog.CreateWriter();
        return writer.RemovePeer(device);
    }

    /// <summary>Every peer in the table, oldest first.</summary>
    public static IReadOnlyList<PeerRecord> List(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        using var reader = repository.Catalog.CreateReader();
        return reader.ListPeers();
    }

    /// <summary>Seals and stores the cluster secret (replacing any earlier one). Refuses a secret that is too short.</summary>
    public static void SetClusterSecret(Repository repository, string secret)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (ClusterSecret.Check(secret) is { } problem)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, problem);
        }

        var box = ClusterSecret.Seal(repository.Key, secret);
        using var writer = repository.Catalog.CreateWriter();
        writer.SetClusterSecretBox(box);
    }

    /// <summary>Removes the cluster secret; false when none was set.</summary>
    public static bool ClearClusterSecret(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var had = HasClusterSecret(repository);
        using var writer = repository.Catalog.CreateWriter();
        writer.SetClusterSecretBox(null);
        return had;
    }

    /// <summary>Whether a cluster secret is set.</summary>
    public static bool HasClusterSecret(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        using var reader = repository.Catalog.CreateReader();
        return reader.GetClusterSecretBox() is not null;
    }
}
