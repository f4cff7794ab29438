using Isg.Actors.Video;

namespace Isg.Actors.Backends.Video;

/// <summary>Where and how a <see cref="VideoPackingBackend"/> keeps objects: packed into videos under <paramref name="RootDirectory"/>.</summary>
public sealed record VideoPackingBackendOptions(string RootDirectory)
{
    /// <summary>Default <see cref="PackSize"/>: 64 MiB.</summary>
    public const long DefaultPackSize = 64L * 1024 * 1024;

    /// <summary>Default <see cref="CacheBytes"/>: 512 MiB.</summary>
    public const long DefaultCacheBytes = 512L * 1024 * 1024;

    /// <summary>The backend's name in logs, errors and catalogue locations.</summary>
    public string Name { get; init; } = "video";

    /// <summary>How packs are encoded: the channel the videos must survive (default lossless).</summary>
    public VideoProfile Profile { get; init; } = VideoProfiles.Lossless;

    /// <summary>Spooled bytes at which a pack is sealed into a video without waiting for a flush.</summary>
    public long PackSize { get; init; } = DefaultPackSize;

    /// <summary>Bytes of decoded pack payloads kept in the cache folder (least recently used go first).</summary>
    public long CacheBytes { get; init; } = DefaultCacheBytes;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RootDirectory))
        {
            throw new ArgumentException("RootDirectory is required", nameof(RootDirectory));
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("Name is required", nameof(Name));
        }

        if (Profile is null)
        {
            throw new ArgumentException("Profile is required", nameof(Profile));
        }

        if (PackSize < 1 || PackSize > Array.MaxLength)
        {
            throw new ArgumentException($"PackSize must be 1..{Array.MaxLength} bytes, got {PackSize}", nameof(PackSize));
        }

        if (CacheBytes < 0)
        {
            throw new ArgumentException($"CacheBytes must not be negative, got {CacheBytes}", nameof(CacheBytes));
        }
    }
}
