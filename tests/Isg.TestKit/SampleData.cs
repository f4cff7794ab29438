using System.Text;

namespace Isg.TestKit;

/// <summary>Deterministic sample data for tests and benchmarks: random bytes and English-like text.</summary>
public static class SampleData
{
    private static readonly string[] s_words =
    [
        "the", "of", "and", "a", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as",
        "with", "his", "they", "at", "be", "this", "have", "from", "or", "one", "had", "by", "word", "but", "not",
        "what", "all", "were", "we", "when", "your", "can", "said", "there", "use", "an", "each", "which", "she",
        "block", "storage", "peer", "repository", "manifest", "chunk", "backend", "network", "encrypted", "video",
        "frame", "catalogue", "snapshot", "replica", "parity", "healing", "discovery", "compression", "through",
    ];

    /// <summary><paramref name="length"/> random bytes from a seeded generator.</summary>
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary><paramref name="length"/> bytes of word soup with punctuation and line breaks (zstd -3 shrinks it ~3x).</summary>
    public static byte[] Text(int length, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder(length + 32);
        while (builder.Length < length)
        {
            builder.Append(s_words[random.Next(s_words.Length)]);
            var next = random.Next(100);
            builder.Append(next switch { < 8 => ". ", < 12 => ", ", < 14 => ".\n", _ => " " });
            if (next == 99)
            {
                builder.Append(random.Next(100000));
                builder.Append(' ');
            }
        }

        return Encoding.ASCII.GetBytes(builder.ToString(0, length));
    }
}
