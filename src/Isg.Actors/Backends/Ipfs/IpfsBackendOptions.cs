namespace Isg.Actors.Backends.Ipfs;

/// <summary>
/// Options of an <see cref="IpfsBackend"/>: the daemon's RPC API address (e.g. <c>http://127.0.0.1:5001</c>, Kubo or
/// js-ipfs) and the folder for the backend's own state (its object name -> CIDs index).
/// </summary>
public sealed record IpfsBackendOptions(Uri ApiAddress, string StateDirectory)
{
    /// <summary>The largest raw block a daemon accepts (Kubo without allow-big-block) and bitswap transfers: 1 MiB.</summary>
    public const int MaxBlockSize = 1024 * 1024;

    /// <summary>
    /// Default bytes per block: 1 MiB less 1 KiB, because js-ipfs limits the whole multipart request (framing
    /// included) to 1 MiB. Larger objects are split into several raw blocks.
    /// </summary>
    public const int DefaultPartSize = MaxBlockSize - 1024;

    /// <summary>Default largest object: 64 MiB (64 blocks), the size of a video pack.</summary>
    public const long DefaultMaxObjectSize = 64L * 1024 * 1024;

    /// <summary>The backend's name in logs and errors.</summary>
    public string Name { get; init; } = "ipfs";

    /// <summary>Bytes per raw block, at most <see cref="MaxBlockSize"/> (bigger blocks would not travel over bitswap).</summary>
    public int PartSize { get; init; } = DefaultPartSize;

    /// <summary>The largest object a put accepts.</summary>
    public long MaxObjectSize { get; init; } = DefaultMaxObjectSize;

    /// <summary>
    /// How long one RPC call may take before it fails as transient; also sent as the call's <c>timeout</c> argument so
    /// the daemon stops looking for a block it lacks (both Kubo and js-ipfs otherwise wait for the network forever).
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ApiAddress);
        if (!ApiAddress.IsAbsoluteUri || (ApiAddress.Scheme != Uri.UriSchemeHttp && ApiAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"ipfs api address must be an absolute http(s) URL, got '{ApiAddress}'", nameof(ApiAddress));
        }

        ArgumentException.ThrowIfNullOrEmpty(StateDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PartSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PartSize, MaxBlockSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxObjectSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxObjectSize, (long)Array.MaxLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestTimeout, TimeSpan.FromSeconds(1));
    }
}
