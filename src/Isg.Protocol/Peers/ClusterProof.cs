using System.Security.Cryptography;
using System.Text;

namespace Isg.Protocol.Peers;

/// <summary>
/// The cluster secret's proof in <c>Hello.cluster_proof</c>: nodes configured with the same secret (and the same
/// repository) accept each other without pairing. The secret is stretched into a 32-byte cluster key with
/// HKDF-SHA256 (salt "isg/v1/cluster", info = the repository id), and each side proves it with
/// HMAC-SHA256(cluster key, "isg/v1/cluster" || dialler id || acceptor id || sender role), the role being one byte
/// (1 from the dialler, 2 from the acceptor) so a node without the secret cannot reflect the other side's proof back.
/// Thread-safe; never prints key material.
/// </summary>
public static class ClusterProof
{
    /// <summary>Length of a proof and of a cluster key, in bytes.</summary>
    public const int Length = 32;

    /// <summary>The fewest characters a cluster secret may have: it is the only thing that keeps strangers out.</summary>
    public const int MinSecretLength = 16;

    private static ReadOnlySpan<byte> Label => "isg/v1/cluster"u8;

    /// <summary>
    /// Writes the 32-byte cluster key of <paramref name="secret"/> for the repository with id
    /// <paramref name="repositoryId"/> to <paramref name="key"/>; the caller wipes it. Throws
    /// <see cref="ArgumentException"/> for a secret shorter than <see cref="MinSecretLength"/>.
    /// </summary>
    public static void DeriveKey(string secret, ReadOnlySpan<byte> repositoryId, Span<byte> key)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < MinSecretLength)
        {
            throw new ArgumentException($"a cluster secret has at least {MinSecretLength} characters", nameof(secret));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(key.Length, Length, nameof(key));
        var bytes = Encoding.UTF8.GetBytes(secret);
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, bytes, key[..Length], Label, repositoryId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Writes the proof that <paramref name="sender"/> holds <paramref name="clusterKey"/> on the connection from <paramref name="dialler"/> to <paramref name="acceptor"/>.</summary>
    public static void Compute(ReadOnlySpan<byte> clusterKey, DeviceId dialler, DeviceId acceptor, PeerRole sender, Span<byte> proof)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(proof.Length, Length, nameof(proof));
        Span<byte> message = stackalloc byte[Label.Length + (2 * DeviceId.Length) + 1];
        Label.CopyTo(message);
        dialler.Hash.WriteTo(message[Label.Length..]);
        acceptor.Hash.WriteTo(message[(Label.Length + DeviceId.Length)..]);
        message[^1] = (byte)sender;
        HMACSHA256.HashData(clusterKey, message, proof[..Length]);
    }

    /// <summary>True when <paramref name="proof"/> is what <see cref="Compute"/> gives; compares in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> clusterKey, DeviceId dialler, DeviceId acceptor, PeerRole sender, ReadOnlySpan<byte> proof)
    {
        if (proof.Length != Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[Length];
        Compute(clusterKey, dialler, acceptor, sender, expected);
        return CryptographicOperations.FixedTimeEquals(expected, proof);
    }
}
