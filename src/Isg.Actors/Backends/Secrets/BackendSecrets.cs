using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Isg.Protocol.Keys;

namespace Isg.Actors.Backends.Secrets;

/// <summary>
/// Seals and opens a backend's credentials for the catalogue: AES-256-GCM under
/// <see cref="RepositoryKey.BackendSecretsKey"/>, the backend's name as associated data. Layout: version byte (1),
/// 12-byte random nonce, ciphertext of a UTF-8 JSON object of strings, 16-byte tag. Thread-safe; never logs.
/// </summary>
public static class BackendSecrets
{
    private const byte Version = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + NonceLength;

    /// <summary>An empty secrets map (what a backend without credentials has).</summary>
    public static IReadOnlyDictionary<string, string> None { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Seals <paramref name="secrets"/> of backend <paramref name="backend"/>; null when there are none.</summary>
    public static byte[]? Seal(RepositoryKey key, string backend, IReadOnlyDictionary<string, string> secrets)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentNullException.ThrowIfNull(secrets);
        if (secrets.Count == 0)
        {
            return null;
        }

        var plain = JsonSerializer.SerializeToUtf8Bytes(secrets.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        try
        {
            var box = new byte[HeaderLength + plain.Length + TagLength];
            box[0] = Version;
            RandomNumberGenerator.Fill(box.AsSpan(1, NonceLength));
            using var aes = new AesGcm(key.BackendSecretsKey, TagLength);
            aes.Encrypt(box.AsSpan(1, NonceLength), plain, box.AsSpan(HeaderLength, plain.Length), box.AsSpan(HeaderLength + plain.Length),
                AssociatedData(backend));
            return box;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>
    /// Opens a box <see cref="Seal"/> made for <paramref name="backend"/>; an empty map for null. Throws
    /// <see cref="CryptographicException"/> when the box is damaged, from another repository or another backend.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Open(RepositoryKey key, string backend, ReadOnlySpan<byte> box)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(backend);
        if (box.IsEmpty)
        {
            return None;
        }

        if (box.Length < HeaderLength + TagLength || box[0] != Version)
        {
            throw new CryptographicException($"the credentials of backend '{backend}' are damaged (unknown format)");
        }

        var plain = new byte[box.Length - HeaderLength - TagLength];
        try
        {
            using var aes = new AesGcm(key.BackendSecretsKey, TagLength);
            aes.Decrypt(box.Slice(1, NonceLength), box.Slice(HeaderLength, plain.Length), box[(HeaderLength + plain.Length)..], plain,
                AssociatedData(backend));
            return JsonSerializer.Deserialize<Dictionary<string, string>>(plain) is { } map
                ? new Dictionary<string, string>(map, StringComparer.Ordinal)
                : None;
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new CryptographicException($"the credentials of backend '{backend}' do not open with this repository's key", e);
        }
        catch (JsonException e)
        {
            // The message of a JsonException can quote the plaintext: it is not passed on.
            throw new CryptographicException($"the credentials of backend '{backend}' are damaged (not a JSON object of strings): line {e.LineNumber}");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static byte[] AssociatedData(string backend)
    {
        var name = Encoding.UTF8.GetBytes(backend);
        var ad = new byte[4 + name.Length];
        BinaryPrimitives.WriteInt32BigEndian(ad, name.Length);
        name.CopyTo(ad, 4);
        return ad;
    }
}
