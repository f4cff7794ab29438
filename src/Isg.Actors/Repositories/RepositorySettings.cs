using System.Globalization;
using Isg.Actors.Catalog;
using Isg.Protocol.Chunking;
using Isg.Protocol.Compression;
using Isg.Protocol.Sealing;

namespace Isg.Actors.Repositories;

/// <summary>
/// The repository's tunable settings, kept in the catalogue's config table: compression, cipher, chunk
/// sizes and redundancy. Values are validated on set; unknown keys are rejected with the list of known ones.
/// </summary>
public sealed class RepositorySettings(CatalogDatabase catalog)
{
    /// <summary>Compression of new blocks: zstd, brotli or none.</summary>
    public const string CompressionKey = "compression";

    /// <summary>Compression level (zstd 1..19, brotli 0..11).</summary>
    public const string CompressionLevelKey = "compression.level";

    /// <summary>AEAD of new blocks: aes-256-gcm or chacha20-poly1305.</summary>
    public const string CipherKey = "cipher";

    /// <summary>Smallest chunk, bytes.</summary>
    public const string ChunkMinKey = "chunker.min";

    /// <summary>Average chunk, bytes (a power of two).</summary>
    public const string ChunkAverageKey = "chunker.avg";

    /// <summary>Largest chunk, bytes.</summary>
    public const string ChunkMaxKey = "chunker.max";

    /// <summary>Parity of new blocks: 0, 5, 10, 20, 50 (percent) or K+M (see <see cref="Striping.RedundancyPolicy"/>).</summary>
    public const string RedundancyKey = "redundancy";

    private static readonly Dictionary<string, string> s_defaults = new(StringComparer.Ordinal)
    {
        [CompressionKey] = "zstd",
        [CompressionLevelKey] = SealOptions.Default.Level.ToString(CultureInfo.InvariantCulture),
        [CipherKey] = "aes-256-gcm",
        [ChunkMinKey] = ChunkerOptions.Default.MinSize.ToString(CultureInfo.InvariantCulture),
        [ChunkAverageKey] = ChunkerOptions.Default.AverageSize.ToString(CultureInfo.InvariantCulture),
        [ChunkMaxKey] = ChunkerOptions.Default.MaxSize.ToString(CultureInfo.InvariantCulture),
        [RedundancyKey] = "20",
    };

    /// <summary>Every setting name, in display order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        [CompressionKey, CompressionLevelKey, CipherKey, ChunkMinKey, ChunkAverageKey, ChunkMaxKey, RedundancyKey];

    /// <summary>The current value of <paramref name="key"/> (its default when never set).</summary>
    public string Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!s_defaults.TryGetValue(key, out var fallback))
        {
            throw UnknownKey(key);
        }

        using var reader = catalog.CreateReader();
        return reader.GetConfig(key) ?? fallback;
    }

    /// <summary>Validates and stores a new value; the resulting options must be valid as a whole.</summary>
    public void Set(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!s_defaults.ContainsKey(key))
        {
            throw UnknownKey(key);
        }

        var normalized = value.Trim().ToLowerInvariant();
        var candidate = ReadAll();
        candidate[key] = normalized;
        try
        {
            BuildSealOptions(candidate).Validate();
            BuildChunkerOptions(candidate).Validate();
            Striping.RedundancyPolicy.Parse(candidate[RedundancyKey]);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            throw new RepositoryException(RepositoryErrorKind.BadSetting, $"{key} = {value}: {e.Message}", e);
        }

        using var writer = catalog.CreateWriter();
        writer.SetConfig(key, normalized);
    }

    /// <summary>How new blocks are sealed.</summary>
    public SealOptions SealOptions => BuildSealOptions(ReadAll());

    /// <summary>How new blocks are grouped into stripes with parity.</summary>
    public Striping.RedundancyPolicy Redundancy => Striping.RedundancyPolicy.Parse(Get(RedundancyKey));

    /// <summary>How files are cut into chunks.</summary>
    public ChunkerOptions ChunkerOptions => BuildChunkerOptions(ReadAll());

    // Every setting through one reader (defaults filled in), rather than a reader per key.
    private Dictionary<string, string> ReadAll()
    {
        using var reader = catalog.CreateReader();
        return Keys.ToDictionary(k => k, k => reader.GetConfig(k) ?? s_defaults[k], StringComparer.Ordinal);
    }

    private static SealOptions BuildSealOptions(Dictionary<string, string> values) => new(
        values[CompressionKey] switch
        {
            "zstd" => CompressionId.Zstd,
            "brotli" => CompressionId.Brotli,
            "none" => CompressionId.None,
            var other => throw new ArgumentException($"compression must be zstd, brotli or none, not '{other}'"),
        },
        int.Parse(values[CompressionLevelKey], NumberStyles.Integer, CultureInfo.InvariantCulture),
        values[CipherKey] switch
        {
            "aes-256-gcm" => CipherId.Aes256Gcm,
            "chacha20-poly1305" => CipherId.ChaCha20Poly1305,
            var other => throw new ArgumentException($"cipher must be aes-256-gcm or chacha20-poly1305, not '{other}'"),
        });

    private static ChunkerOptions BuildChunkerOptions(Dictionary<string, string> values) => new(
        int.Parse(values[ChunkMinKey], NumberStyles.Integer, CultureInfo.InvariantCulture),
        int.Parse(values[ChunkAverageKey], NumberStyles.Integer, CultureInfo.InvariantCulture),
        int.Parse(values[ChunkMaxKey], NumberStyles.Integer, CultureInfo.InvariantCulture));

    private static RepositoryException UnknownKey(string key) =>
        new(RepositoryErrorKind.BadSetting, $"unknown setting '{key}'; known: {string.Join(", ", Keys)}");
}
