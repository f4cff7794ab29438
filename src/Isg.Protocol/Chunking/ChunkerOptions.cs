using System.Numerics;

namespace Isg.Protocol.Chunking;

/// <summary>
/// Chunk size bounds for <see cref="FastCdcChunker"/>, in bytes. Valid when
/// 64 &lt;= <see cref="MinSize"/> &lt; <see cref="AverageSize"/> &lt; <see cref="MaxSize"/> &lt;= 64 MiB and
/// <see cref="AverageSize"/> is a power of two; call <see cref="Validate"/> before use.
/// </summary>
public sealed record ChunkerOptions(int MinSize, int AverageSize, int MaxSize)
{
    /// <summary>The smallest allowed <see cref="MinSize"/>: the Gear hash window, so a cut never depends on bytes of the previous chunk.</summary>
    public const int SmallestMinSize = 64;

    /// <summary>The largest allowed <see cref="MaxSize"/> (64 MiB).</summary>
    public const int LargestMaxSize = 64 * 1024 * 1024;

    /// <summary>256 KiB minimum, 1 MiB average, 4 MiB maximum (DESIGN.md §3).</summary>
    public static ChunkerOptions Default { get; } = new(256 * 1024, 1024 * 1024, 4 * 1024 * 1024);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first field out of range; returns this instance otherwise.</summary>
    public ChunkerOptions Validate()
    {
        if (MinSize < SmallestMinSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MinSize), MinSize, $"must be at least {SmallestMinSize}");
        }

        if (AverageSize <= MinSize)
        {
            throw new ArgumentOutOfRangeException(nameof(AverageSize), AverageSize, $"must be greater than {nameof(MinSize)} ({MinSize})");
        }

        if (!BitOperations.IsPow2(AverageSize))
        {
            throw new ArgumentOutOfRangeException(nameof(AverageSize), AverageSize, "must be a power of two");
        }

        if (MaxSize <= AverageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSize), MaxSize, $"must be greater than {nameof(AverageSize)} ({AverageSize})");
        }

        if (MaxSize > LargestMaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSize), MaxSize, $"must be at most {LargestMaxSize}");
        }

        return this;
    }
}
