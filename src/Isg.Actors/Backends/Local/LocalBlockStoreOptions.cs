namespace Isg.Actors.Backends.Local;

/// <summary>Where and how a <see cref="LocalBlockStore"/> keeps objects: under <paramref name="RootDirectory"/> (created if missing).</summary>
public sealed record LocalBlockStoreOptions(string RootDirectory)
{
    /// <summary>The backend's name in logs, errors and catalogue locations.</summary>
    public string Name { get; init; } = "local";

    /// <summary>
    /// How puts are made durable; see <see cref="LocalBlockStore.FlushAsync"/>. OnFlush by default.
    /// </summary>
    public LocalDurability Durability { get; init; } = LocalDurability.OnFlush;

    /// <summary>
    /// Whether objects of 256 KiB and more bypass the page cache (O_DIRECT) from the start, where the file system
    /// allows it; see <see cref="LocalBlockStore.TryUseDirectIo"/>. Off by default: one-shot commands keep the page cache.
    /// </summary>
    public bool DirectIo { get; init; }

    /// <summary>
    /// Free space the file system must have for a new pack to be allocated whole when it starts (see
    /// <see cref="PackAppender"/>); nearer full, packs grow by their writes and the space goes to whatever needs it first.
    /// </summary>
    public long PreallocateMinimumFree { get; init; } = 1L << 30;

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

        if (PreallocateMinimumFree < 0)
        {
            throw new ArgumentException($"PreallocateMinimumFree must not be negative, not {PreallocateMinimumFree}", nameof(PreallocateMinimumFree));
        }

        if (!Enum.IsDefined(Durability))
        {
            throw new ArgumentException($"unknown Durability {(int)Durability}", nameof(Durability));
        }
    }
}
