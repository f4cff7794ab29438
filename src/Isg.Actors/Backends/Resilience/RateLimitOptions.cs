namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// How fast <see cref="RateLimitedBackend"/> lets calls through: <see cref="CallsPerSecond"/> calls (fractions allowed,
/// e.g. 0.5 for one call every two seconds) and <see cref="BytesPerSecond"/> bytes, each 0 for unlimited. Bursts of up
/// to one second's worth pass at once after an idle second.
/// </summary>
public sealed record RateLimitOptions
{
    /// <summary>No limit.</summary>
    public static RateLimitOptions Unlimited { get; } = new();

    /// <summary>Calls per second (all operations count); 0: unlimited. At least 0.001 when set.</summary>
    public double CallsPerSecond { get; init; }

    /// <summary>Bytes per second, put and got together; 0: unlimited.</summary>
    public long BytesPerSecond { get; init; }

    /// <summary>Whether any limit is set.</summary>
    public bool IsLimited => CallsPerSecond > 0 || BytesPerSecond > 0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (double.IsNaN(CallsPerSecond) || CallsPerSecond < 0 || (CallsPerSecond > 0 && CallsPerSecond < 0.001) || CallsPerSecond > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(CallsPerSecond), CallsPerSecond, "calls per second must be 0 (unlimited) or between 0.001 and 1000000");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(BytesPerSecond, nameof(BytesPerSecond));
    }
}
