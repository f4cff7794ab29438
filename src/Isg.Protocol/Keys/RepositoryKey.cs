using System.Security.Cryptography;
using Isg.Protocol.Hashing;

namespace Isg.Protocol.Keys;

/// <summary>
/// A repository's random 32-byte master key and the subkeys derived from it with HKDF-SHA256, one per purpose
/// ("isg/v1/block", "isg/v1/name", "isg/v1/chunker", "isg/v1/backend-secrets", "isg/v1/cluster-secret"), so no two uses ever share key material. Immutable after
/// construction: safe to share between threads; <see cref="Dispose"/> (not concurrent with use) zeroes every
/// secret, after which members throw <see cref="ObjectDisposedException"/>. Nothing secret is ever printed.
/// </summary>
public sealed class RepositoryKey : IDisposable
{
    /// <summary>Master key length in bytes.</summary>
    public const int Length = 32;

    /// <summary>Per-block key length in bytes (AES-256 and ChaCha20 both take 32).</summary>
    public const int BlockKeyLength = 32;

    private const int SubkeyLength = 32;
    private const int MasterOffset = 0;
    private const int BlockSubkeyOffset = 32;
    private const int NameSubkeyOffset = 64;
    private const int ChunkerSeedOffset = 96;
    private const int BackendSecretsOffset = 128;
    private const int ClusterSecretOffset = 160;
    private const int SubkeyCount = 5;

    // Longest HKDF info: the block label followed by the 32 id bytes.
    private const int MaxInfoLength = 64;

    private static ReadOnlySpan<byte> ExtractSalt => "isg/v1/repository"u8;
    private static ReadOnlySpan<byte> BlockLabel => "isg/v1/block"u8;
    private static ReadOnlySpan<byte> NameLabel => "isg/v1/name"u8;
    private static ReadOnlySpan<byte> ChunkerLabel => "isg/v1/chunker"u8;
    private static ReadOnlySpan<byte> BackendSecretsLabel => "isg/v1/backend-secrets"u8;
    private static ReadOnlySpan<byte> ClusterSecretLabel => "isg/v1/cluster-secret"u8;
    private static ReadOnlySpan<byte> RepositoryIdLabel => "isg/v1/repository-id"u8;

    // Master and subkeys in one pinned array, so the GC never leaves copies behind and Dispose can wipe them all.
    private readonly byte[] _secrets;

    private bool _disposed;

    private RepositoryKey(ReadOnlySpan<byte> master)
    {
        _secrets = GC.AllocateArray<byte>(Length + SubkeyCount * SubkeyLength, pinned: true);
        var secrets = _secrets.AsSpan();
        master.CopyTo(secrets.Slice(MasterOffset, Length));

        Span<byte> prk = stackalloc byte[SubkeyLength];
        try
        {
            HKDF.Extract(HashAlgorithmName.SHA256, master, ExtractSalt, prk);
            HKDF.Expand(HashAlgorithmName.SHA256, prk, secrets.Slice(BlockSubkeyOffset, SubkeyLength), BlockLabel);
            HKDF.Expand(HashAlgorithmName.SHA256, prk, secrets.Slice(NameSubkeyOffset, SubkeyLength), NameLabel);
            HKDF.Expand(HashAlgorithmName.SHA256, prk, secrets.Slice(ChunkerSeedOffset, SubkeyLength), ChunkerLabel);
            HKDF.Expand(HashAlgorithmName.SHA256, prk, secrets.Slice(BackendSecretsOffset, SubkeyLength), BackendSecretsLabel);
            HKDF.Expand(HashAlgorithmName.SHA256, prk, secrets.Slice(ClusterSecretOffset, SubkeyLength), ClusterSecretLabel);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    /// <summary>
    /// 32 secret bytes that key the content-defined chunker's gear table, so block boundaries (and thus sizes)
    /// do not reveal which known file a repository holds.
    /// </summary>
    public ReadOnlySpan<byte> ChunkerSeed
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _secrets.AsSpan(ChunkerSeedOffset, SubkeyLength);
        }
    }

    /// <summary>
    /// The 32-byte AES-256-GCM key that seals backend credentials (tokens, webhook URLs) in the catalogue:
    /// HKDF-Expand(PRK, "isg/v1/backend-secrets"). Never printed; do not copy it anywhere durable.
    /// </summary>
    public ReadOnlySpan<byte> BackendSecretsKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _secrets.AsSpan(BackendSecretsOffset, SubkeyLength);
        }
    }

    /// <summary>
    /// The 32-byte AES-256-GCM key that seals the cluster secret in the catalogue:
    /// HKDF-Expand(PRK, "isg/v1/cluster-secret"). Never printed; do not copy it anywhere durable.
    /// </summary>
    public ReadOnlySpan<byte> ClusterSecretKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _secrets.AsSpan(ClusterSecretOffset, SubkeyLength);
        }
    }

    /// <summary>
    /// The repository id peers compare in their Hello: HMAC-SHA256(master key, "isg/v1/repository-id"), 32 bytes.
    /// Two nodes hold the same repository exactly when these match; the id reveals nothing about the key.
    /// </summary>
    public byte[] ComputeRepositoryId()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return HMACSHA256.HashData(_secrets.AsSpan(MasterOffset, Length), RepositoryIdLabel);
    }

    /// <summary>The master key, for wrapping it in a key file.</summary>
    internal ReadOnlySpan<byte> Master
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _secrets.AsSpan(MasterOffset, Length);
        }
    }

    /// <summary>A new repository key from the system CSPRNG.</summary>
    public static RepositoryKey Generate()
    {
        Span<byte> master = stackalloc byte[Length];
        RandomNumberGenerator.Fill(master);
        try
        {
            return new RepositoryKey(master);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }

    /// <summary>Rebuilds a repository key from its 32 master bytes (copied; the caller wipes its own copy).</summary>
    public static RepositoryKey FromBytes(ReadOnlySpan<byte> master)
    {
        if (master.Length != Length)
        {
            throw new ArgumentException($"a repository key is {Length} bytes, got {master.Length}", nameof(master));
        }

        return new RepositoryKey(master);
    }

    /// <summary>
    /// Writes the 32-byte key that seals block <paramref name="id"/>: HKDF-Expand(block subkey,
    /// "isg/v1/block" || id bytes). Deterministic, so the same block sealed twice uses the same key (nonces are
    /// random), and a block stored under another id fails authentication. The caller wipes <paramref name="key32"/>.
    /// </summary>
    public void DeriveBlockKey(BlockId id, Span<byte> key32)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(key32.Length, BlockKeyLength, nameof(key32));

        Span<byte> info = stackalloc byte[MaxInfoLength];
        BlockLabel.CopyTo(info);
        id.WriteTo(info[BlockLabel.Length..]);
        HKDF.Expand(HashAlgorithmName.SHA256, _secrets.AsSpan(BlockSubkeyOffset, SubkeyLength), key32[..BlockKeyLength],
            info[..(BlockLabel.Length + Hash256.Length)]);
    }

    /// <summary>
    /// The name block <paramref name="id"/> is stored under on backends: lowercase hex (64 characters) of
    /// HMAC-SHA256(name subkey, id bytes), so a platform cannot test whether we hold a known file's blocks.
    /// </summary>
    public string ObjectName(BlockId id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // DESIGN.md names objects HMAC(repo key, block id); keying the HMAC with a dedicated name subkey instead
        // of the master key is our refinement, so the master key is never used directly for any purpose.
        Span<byte> idBytes = stackalloc byte[Hash256.Length];
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        id.WriteTo(idBytes);
        HMACSHA256.HashData(_secrets.AsSpan(NameSubkeyOffset, SubkeyLength), idBytes, mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>Zeroes the master key and every subkey. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CryptographicOperations.ZeroMemory(_secrets);
    }

    /// <summary>Names the type only: never any key material.</summary>
    public override string ToString() => _disposed ? "RepositoryKey (disposed)" : "RepositoryKey (secret)";
}
