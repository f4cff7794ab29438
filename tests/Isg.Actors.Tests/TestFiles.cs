using Isg.TestKit;

namespace Isg.Actors.Tests;

/// <summary>Deterministic file contents for tests.</summary>
internal static class TestFiles
{
    /// <summary>Seeded random bytes (the shared <see cref="SampleData"/> generator).</summary>
    public static byte[] Random(int length, int seed) => SampleData.RandomBytes(length, seed);

    /// <summary>Compressible text-like bytes (the shared <see cref="SampleData"/> generator).</summary>
    public static byte[] Text(int length, int seed) => SampleData.Text(length, seed);

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
