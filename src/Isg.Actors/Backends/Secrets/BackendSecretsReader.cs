using Isg.Actors.Catalog;
using Isg.Protocol.Keys;

namespace Isg.Actors.Backends.Secrets;

/// <summary>Reads backend records with their credentials opened (<see cref="BackendRecord.Secrets"/>).</summary>
public static class BackendSecretsReader
{
    /// <summary>
    /// Every configured backend, ordered by name, with its secrets opened with <paramref name="key"/>. Throws
    /// <see cref="System.Security.Cryptography.CryptographicException"/> naming the backend when a box does not open.
    /// </summary>
    public static IReadOnlyList<BackendRecord> ListBackends(CatalogReader reader, RepositoryKey key)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(key);
        var boxes = reader.GetBackendSecretBoxes();
        return reader.ListBackends()
            .Select(r => boxes.TryGetValue(r.Name, out var box) ? r with { Secrets = BackendSecrets.Open(key, r.Name, box) } : r)
            .ToList();
    }
}
