namespace Isg.Actors.Tests;

/// <summary>Deterministic file contents for tests.</summary>
internal static class TestFiles
{
    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Compressible text-like bytes.</summary>
    public static byte[] Text(int length, int seed)
    {
        var words = new[] { "block ", "chunk ", "seal ", "catalogue ", "actor ", "restore ", "\n" };
        var random = new Random(seed);
        var bytes = new byte[length];
        var at = 0;
        while (at < length)
        {
            var word = words[random.Next(words.Length)];
            for (var i = 0; i < word.Length && at < length; i++)
            {
                bytes[at++] = (byte)word[i];
            }
        }

        return bytes;
    }

    public static byte[] Write(string path, byte[] contents)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, contents);
        return contents;
    }

    /// <summary>Creates a FIFO with mkfifo(1).</summary>
    public static void MakeFifo(string path)
    {
        using var process = System.Diagnostics.Process.Start("mkfifo", [path]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
