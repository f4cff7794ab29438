using System.Security.Cryptography;
using System.Text;
using Isg.Protocol.Keys;

namespace Isg.Protocol.Video;

/// <summary>
/// The two keys of an encrypted video, from a passphrase: master = Argon2id(passphrase, salt), then
/// HKDF-Expand(master, "isg/v2/video/header") seals the metadata and HKDF-Expand(master, "isg/v2/video/payload")
/// seals the payload segments. Wiped on dispose; <see cref="ToString"/> never shows key bytes.
/// </summary>
public sealed class VideoKeys : IDisposable
{
    /// <summary>Bytes of the random salt stored in the header.</summary>
    public const int SaltLength = 16;

    private static readonly byte[] s_headerLabel = Encoding.ASCII.GetBytes("isg/v2/video/header");
    private static readonly byte[] s_payloadLabel = Encoding.ASCII.GetBytes("isg/v2/video/payload");

    private readonly byte[] _headerKey = new byte[32];
    private readonly byte[] _payloadKey = new byte[32];

    private VideoKeys()
    {
    }

    /// <summary>The AES-256-GCM key of the header's metadata.</summary>
    public ReadOnlySpan<byte> HeaderKey => _headerKey;

    /// <summary>The AES-256-GCM key of the payload segments.</summary>
    public ReadOnlySpan<byte> PayloadKey => _payloadKey;

    /// <summary>Derives the keys from the UTF-8 <paramref name="passphrase"/>; costs one Argon2id run at <paramref name="parameters"/>.</summary>
    public static VideoKeys Derive(ReadOnlySpan<byte> passphrase, ReadOnlySpan<byte> salt, Argon2Parameters parameters)
    {
        if (passphrase.IsEmpty)
        {
            throw new ArgumentException("The passphrase may not be empty.", nameof(passphrase));
        }

        var keys = new VideoKeys();
        Span<byte> master = stackalloc byte[32];
        try
        {
            Argon2id.DeriveKey(passphrase, salt, parameters, master);
            HKDF.Expand(HashAlgorithmName.SHA256, master, keys._headerKey, s_headerLabel);
            HKDF.Expand(HashAlgorithmName.SHA256, master, keys._payloadKey, s_payloadLabel);
            return keys;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_headerKey);
        CryptographicOperations.ZeroMemory(_payloadKey);
    }

    /// <inheritdoc/>
    public override string ToString() => "VideoKeys (secret)";
}
