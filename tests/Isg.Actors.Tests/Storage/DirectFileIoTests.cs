using System.Security.Cryptography;
using Isg.Actors.Storage;

namespace Isg.Actors.Tests.Storage;

public sealed class DirectFileIoTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void IsSupported_OnTheTestFileSystem_IsTrueAndLeavesNoProbeBehind()
    {
        // The tests' temp directory is on ext4, xfs, btrfs or tmpfs (6.6+), which all take O_DIRECT.
        Assert.True(DirectFileIo.IsSupported(_dir.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void IsSupported_MissingDirectory_IsFalse()
    {
        Assert.False(DirectFileIo.IsSupported(_dir.Combine("missing")));
    }

    public static TheoryData<int, bool> Lengths()
    {
        var data = new TheoryData<int, bool>();
        foreach (var length in new[] { 1, 4095, 4096, 4097, 300_001, (2 << 20) + 17 })
        {
            data.Add(length, false);
            data.Add(length, true);
        }

        return data;
    }

    // Aligned data is written where it lies (its last partial page copied and padded); other data is copied first.
    [Theory]
    [MemberData(nameof(Lengths))]
    public void WriteThenRead_AnyLength_RoundTripsWithTheExactFileLength(int length, bool fromAlignedMemory)
    {
        var data = RandomNumberGenerator.GetBytes(length);
        using var aligned = AlignedBuffer.Rent(length);
        aligned.Padded.Fill(0xEE); // what lies past the data must not reach the file
        data.CopyTo(aligned.Memory.Span);
        var path = _dir.Combine("object");

        using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            Assert.True(NativeFileSystem.TryEnableDirectIo(handle));
            DirectFileIo.Write(handle, fromAlignedMemory ? aligned.Memory.Span : data);
            using var back = DirectFileIo.Read(handle, length);
            Assert.True(back.Memory.Span.SequenceEqual(data));
        }

        Assert.Equal(length, new FileInfo(path).Length);
        Assert.Equal(data, File.ReadAllBytes(path));
    }

    [Fact]
    public void Read_FileShorterThanAsked_ThrowsEndOfStream()
    {
        var path = _dir.Combine("short");
        File.WriteAllBytes(path, new byte[5000]);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        Assert.True(NativeFileSystem.TryEnableDirectIo(handle));

        var error = Assert.Throws<EndOfStreamException>(() => DirectFileIo.Read(handle, 9000));

        Assert.Contains("of 9000 bytes", error.Message);
    }
}
