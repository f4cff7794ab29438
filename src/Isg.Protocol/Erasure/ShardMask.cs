namespace Isg.Protocol.Erasure;

/// <summary>A set of shard indices 0..255 as 256 bits: the key of a cached decode plan.</summary>
internal readonly record struct ShardMask(ulong Word0, ulong Word1, ulong Word2, ulong Word3)
{
    /// <summary>The set of indices i with <paramref name="present"/>[i] true.</summary>
    public static ShardMask From(ReadOnlySpan<bool> present)
    {
        Span<ulong> words = stackalloc ulong[4];
        words.Clear();
        for (var i = 0; i < present.Length; i++)
        {
            if (present[i])
            {
                words[i >> 6] |= 1UL << (i & 63);
            }
        }

        return new ShardMask(words[0], words[1], words[2], words[3]);
    }
}
