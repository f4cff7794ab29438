using System.Security.Cryptography;
using System.Text;
using Isg.Actors.Catalog;
using Isg.Protocol.Keys;
using Isg.Protocol.Peers;

namespace Isg.Actors.Peers;

/// <summary>
/// The optional cluster secret, sealed for the catalogue like backend credentials: AES-256-GCM under
/// <see cref="RepositoryKey.ClusterSecretKey"/> with "isg/v1/cluster-secret" as associated data. Layout: version byte
/// (1), 12-byte random nonce, ciphertext of the UTF-8 secret, 16-byte tag. Nodes only ever use the key derived from
/// it (<see cref="DeriveClusterKey"/>). Thread-safe; never logs.
/// </summary>
public static class ClusterSecret
{
    private const byte Version = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + NonceLength;

    private static ReadOnlySpan<byte> AssociatedData => "isg/v1/cluster-secret"u8;

    /// <summary>
    /// Seals <paramref name="secret"/>. Throws <see cref="ArgumentException"/> when it is shorter than
    /// <see cref="ClusterProof.MinSecretLength"/> characters or has leading or trailing white space.
    /// </summary>
    public static byte[] Seal(RepositoryKey key, string secret)
    {
        ArgumentNullException.ThrowIfNull(key);
        Validate(secret);
        var plain = Encoding.UTF8.GetBytes(secret);
        try
        {
            var box = new byte[HeaderLength + plain.Length + TagLength];
            box[0] = Version;
            RandomNumberGenerator.Fill(box.AsSpan(1, NonceLength));
            using var aes = new AesGcm(key.ClusterSecretKey, TagLength);
            aes.Encrypt(box.AsSpan(1, NonceLength), plain, box.AsSpan(HeaderLength, plain.Length), box.AsSpan(HeaderLength + plain.Length), AssociatedData);
            return box;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>
    /// Opens a box <see cref="Seal"/> made. Throws <see cref="CryptographicException"/> when it is damaged or was sealed
    /// under another repository's key.
    /// </summary>
    public static string Open(RepositoryKey key, ReadOnlySpan<byte> box)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (box.Length < HeaderLength + TagLength || box[0] != Version)
        {
            throw new CryptographicException("the stored cluster secret is damaged (unknown format)");
        }

        var plain = new byte[box.Length - HeaderLength - TagLength];
        try
        {
            using var aes = new AesGcm(key.ClusterSecretKey, TagLength);
            aes.Decrypt(box.Slice(1, NonceLength), box.Slice(HeaderLength, plain.Length), box[(HeaderLength + plain.Length)..], plain, AssociatedData);
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new CryptographicException("the stored cluster secret does not open with this repository's key", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>
    /// The 32-byte cluster key of the secret stored in <paramref name="catalog"/> for this repository (see
    /// <see cref="ClusterProof.DeriveKey"/>); null when no secret is set. The caller wipes it.
    /// </summary>
    public static byte[]? DeriveClusterKey(RepositoryKey key, CatalogDatabase catalog)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(catalog);
        byte[]? box;
        using (var reader = catalog.CreateReader())
        {
            box = reader.GetClusterSecretBox();
        }

        if (box is null)
        {
            return null;
        }

        var clusterKey = new byte[ClusterProof.Length];
        ClusterProof.DeriveKey(Open(key, box), key.ComputeRepositoryId(), clusterKey);
        return clusterKey;
    }

    /// <summary>What is wrong with <paramref name="secret"/> as a cluster secret; null when it is fine.</summary>
    public static string? Check(string? secret) =>
        secret is null || secret.Length < ClusterProof.MinSecretLength
            ? $"a cluster secret has at least {ClusterProof.MinSecretLength} characters (all nodes of the cluster must use the same one)"
            : secret.Trim().Length != secret.Length ? "a cluster secret may not start or end with white space"
            : null;

    private static void Validate(string? secret)
    {
        if (Check(secret) is { } problem)
        {
            throw new ArgumentException(problem, nameof(secret));
        }
    }
}
