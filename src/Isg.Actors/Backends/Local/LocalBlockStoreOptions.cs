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

        if (!Enum.IsDefined(Durability))
        {
            throw new ArgumentException($"unknown Durability {(int)Durability}", nameof(Durability));
        }
    }
}
