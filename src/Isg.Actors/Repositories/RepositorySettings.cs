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

    /// <summary>Scrub rate in bytes per second ("50M", "1G", "0" = unlimited).</summary>
    public const string ScrubRateKey = "scrub.rate";

    /// <summary>Time between the node's scrub passes ("24h", "30m", "90s").</summary>
    public const string ScrubIntervalKey = "scrub.interval";

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
        [ScrubRateKey] = "50m",
        [ScrubIntervalKey] = "24h",
    };

    /// <summary>Every setting name, in display order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        [CompressionKey, CompressionLevelKey, CipherKey, ChunkMinKey, ChunkAverageKey, ChunkMaxKey, RedundancyKey, ScrubRateKey, ScrubIntervalKey];

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
            _ = ParseRate(candidate[ScrubRateKey]);
            _ = ParseInterval(candidate[ScrubIntervalKey]);
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

    /// <summary>The healer's scrub rate in bytes per second; 0 is unlimited.</summary>
    public long ScrubRate => ParseRate(Get(ScrubRateKey));

    /// <summary>Time between the node's scrub passes.</summary>
    public TimeSpan ScrubInterval => ParseInterval(Get(ScrubIntervalKey));

    /// <summary>Parses a byte rate: a number with an optional k, m or g suffix (powers of 1024); "0" or "unlimited" is 0.</summary>
    public static long ParseRate(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim().ToLowerInvariant();
        if (text is "unlimited")
        {
            return 0;
        }

        var shift = text.Length == 0 ? 0 : text[^1] switch { 'k' => 10, 'm' => 20, 'g' => 30, _ => 0 };
        var number = long.Parse(shift == 0 ? text : text[..^1], NumberStyles.None, CultureInfo.InvariantCulture);
        return checked(number << shift) >> shift == number
            ? number << shift
            : throw new OverflowException($"{value} is too large a rate");
    }

    /// <summary>Parses an interval: a positive number with an s, m, h or d suffix.</summary>
    public static TimeSpan ParseInterval(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim().ToLowerInvariant();
        if (text.Length < 2)
        {
            throw new FormatException($"an interval is a number with s, m, h or d, e.g. 24h; got '{value}'");
        }

        var number = double.Parse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var interval = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(number),
            'm' => TimeSpan.FromMinutes(number),
            'h' => TimeSpan.FromHours(number),
            'd' => TimeSpan.FromDays(number),
            _ => throw new FormatException($"an interval is a number with s, m, h or d, e.g. 24h; got '{value}'"),
        };
        return interval > TimeSpan.Zero ? interval : throw new ArgumentException($"an interval must be positive; got '{value}'");
    }

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
