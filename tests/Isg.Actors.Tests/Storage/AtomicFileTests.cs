using Isg.Actors.Storage;

namespace Isg.Actors.Tests.Storage;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteAllBytes_NewFile_HasContentsAndModeAndNoTempLeft()
    {
        var path = _dir.Combine("settings.json");

        AtomicFile.WriteAllBytes(path, "{}"u8, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal("{}"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["settings.json"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteAllBytes_ExistingFile_IsReplaced()
    {
        var path = _dir.Combine("file");
        File.WriteAllText(path, "old contents that are longer");

        AtomicFile.WriteAllBytes(path, "new"u8);

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void WriteAllBytes_TargetIsADirectory_ThrowsAndLeavesNoTemp()
    {
        var path = _dir.Combine("occupied");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllBytes(path, "x"u8));

        Assert.Equal(["occupied"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }
}
