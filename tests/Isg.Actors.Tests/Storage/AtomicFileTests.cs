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
    public void TryCreateNew_AbsentThenPresent_CreatesOnceAndNeverReplaces()
    {
        var path = _dir.Combine("identity");

        Assert.True(AtomicFile.TryCreateNew(path, "first"u8));
        Assert.False(AtomicFile.TryCreateNew(path, "second"u8));

        Assert.Equal("first", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["identity"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task TryCreateNew_ManyAtOnce_ExactlyOneWins()
    {
        var path = _dir.Combine("race");
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => AtomicFile.TryCreateNew(path, System.Text.Encoding.ASCII.GetBytes($"writer {i}")))));

        Assert.Equal(1, results.Count(r => r));
        Assert.StartsWith("writer ", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Single(Directory.GetFileSystemEntries(_dir.Path));
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
