using Isg.Actors.Storage;

namespace Isg.Actors.Tests.Storage;

public sealed class NativeFileSystemTests : IDisposable
{
    private const long SomeInstantNs = 1_700_000_000_123_456_789;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void GetStatus_RegularFile_ReportsKindSizeAndPermissionBits()
    {
        var path = _dir.Combine("file.bin");
        File.WriteAllBytes(path, new byte[12345]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var status = NativeFileSystem.GetStatus(path);

        Assert.Equal(FileStatusKind.Regular, status.Kind);
        Assert.Equal(12345, status.Size);
        Assert.Equal(0x1A0, status.Mode);
    }

    [Fact]
    public void GetStatus_Directory_ReportsDirectory()
    {
        var path = _dir.Combine("sub");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0x1ED);

        var status = NativeFileSystem.GetStatus(path);

        Assert.Equal(FileStatusKind.Directory, status.Kind);
        Assert.Equal(0x1ED, status.Mode);
    }

    [Fact]
    public void GetStatus_SymlinkToFile_IsNotFollowed()
    {
        var target = _dir.Combine("target.txt");
        File.WriteAllBytes(target, new byte[5000]);
        var link = _dir.Combine("link");
        File.CreateSymbolicLink(link, "target.txt");

        var status = NativeFileSystem.GetStatus(link);

        Assert.Equal(FileStatusKind.Symlink, status.Kind);
        // A symlink's size is the length of the target it names.
        Assert.Equal("target.txt".Length, status.Size);
    }

    [Fact]
    public void GetStatus_SymlinkToDirectoryAndDanglingSymlink_AreSymlinks()
    {
        Directory.CreateDirectory(_dir.Combine("dir"));
        File.CreateSymbolicLink(_dir.Combine("to-dir"), "dir");
        File.CreateSymbolicLink(_dir.Combine("dangling"), "nowhere/at/all");

        Assert.Equal(FileStatusKind.Symlink, NativeFileSystem.GetStatus(_dir.Combine("to-dir")).Kind);
        Assert.Equal(FileStatusKind.Symlink, NativeFileSystem.GetStatus(_dir.Combine("dangling")).Kind);
    }

    [Fact]
    public void OpenRegularFileForRead_Fifo_FailsAtOnceInsteadOfBlocking()
    {
        var path = _dir.Combine("pipe");
        TestFiles.MakeFifo(path);

        // No writer ever opens the FIFO: a blocking open would hang this test forever.
        var error = Assert.Throws<IOException>(() => NativeFileSystem.OpenRegularFileForRead(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenRegularFileForRead_SymlinkOrMissing_Fails()
    {
        var target = _dir.Combine("target.txt");
        File.WriteAllText(target, "x");
        var link = _dir.Combine("link");
        File.CreateSymbolicLink(link, target);

        Assert.Throws<IOException>(() => NativeFileSystem.OpenRegularFileForRead(link));
        Assert.Throws<FileNotFoundException>(() => NativeFileSystem.OpenRegularFileForRead(_dir.Combine("missing")));
    }

    [Fact]
    public void OpenRegularFileForRead_RegularFile_ReadsItsBytes()
    {
        var path = _dir.Combine("data.bin");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);

        using var handle = NativeFileSystem.OpenRegularFileForRead(path);
        var buffer = new byte[8];
        Assert.Equal(5, RandomAccess.Read(handle, buffer, 0));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, buffer[..5]);
    }

    [Fact]
    public void GetStatus_Fifo_IsSpecial()
    {
        var path = _dir.Combine("pipe");
        TestFiles.MakeFifo(path);

        Assert.Equal(FileStatusKind.Special, NativeFileSystem.GetStatus(path).Kind);
    }

    [Fact]
    public void GetStatus_DeviceNode_IsSpecial() =>
        Assert.Equal(FileStatusKind.Special, NativeFileSystem.GetStatus("/dev/null").Kind);

    [Fact]
    public void GetStatus_MissingPath_ThrowsFileNotFoundNamingIt()
    {
        var path = _dir.Combine("missing");

        var e = Assert.Throws<FileNotFoundException>(() => NativeFileSystem.GetStatus(path));

        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetStatus_PathThroughAFile_ThrowsFileNotFound()
    {
        var file = _dir.Combine("plain");
        File.WriteAllText(file, "x");

        var e = Assert.Throws<FileNotFoundException>(() => NativeFileSystem.GetStatus(Path.Combine(file, "child")));

        Assert.Contains("plain/child", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetStatus_UnicodeName_IsFound()
    {
        var path = _dir.Combine("café ☕ 日本.txt");
        File.WriteAllBytes(path, new byte[3]);

        Assert.Equal(3, NativeFileSystem.GetStatus(path).Size);
    }

    [Theory]
    [InlineData(SomeInstantNs)]
    [InlineData(1_700_000_000_000_000_001)]
    [InlineData(1_700_000_000_999_999_999)]
    [InlineData(0)]
    [InlineData(-1_500_000_001)]
    public void SetModificationTime_File_RoundTripsToTheNanosecond(long mtimeNs)
    {
        var path = _dir.Combine("file");
        File.WriteAllText(path, "x");

        NativeFileSystem.SetModificationTime(path, mtimeNs);

        Assert.Equal(mtimeNs, NativeFileSystem.GetStatus(path).MtimeUnixNs);
        // .NET's own view agrees to its 100 ns tick.
        var expected = DateTime.UnixEpoch.AddTicks(Math.DivRem(mtimeNs, 100, out var rest) - (rest < 0 ? 1 : 0));
        Assert.Equal(expected, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void SetModificationTime_Directory_RoundTrips()
    {
        var path = _dir.Combine("dir");
        Directory.CreateDirectory(path);

        NativeFileSystem.SetModificationTime(path, SomeInstantNs);

        Assert.Equal(SomeInstantNs, NativeFileSystem.GetStatus(path).MtimeUnixNs);
    }

    [Fact]
    public void SetModificationTime_Symlink_ChangesTheLinkNotItsTarget()
    {
        var target = _dir.Combine("target");
        File.WriteAllText(target, "x");
        var targetBefore = NativeFileSystem.GetStatus(target).MtimeUnixNs;
        var link = _dir.Combine("link");
        File.CreateSymbolicLink(link, "target");

        NativeFileSystem.SetModificationTime(link, SomeInstantNs);

        Assert.Equal(SomeInstantNs, NativeFileSystem.GetStatus(link).MtimeUnixNs);
        Assert.Equal(targetBefore, NativeFileSystem.GetStatus(target).MtimeUnixNs);
    }

    [Fact]
    public void SetModificationTime_DanglingSymlink_Works()
    {
        var link = _dir.Combine("dangling");
        File.CreateSymbolicLink(link, "missing");

        NativeFileSystem.SetModificationTime(link, SomeInstantNs);

        Assert.Equal(SomeInstantNs, NativeFileSystem.GetStatus(link).MtimeUnixNs);
    }

    [Fact]
    public void SetModificationTime_MissingPath_ThrowsIOExceptionNamingIt()
    {
        var path = _dir.Combine("missing");

        var e = Assert.ThrowsAny<IOException>(() => NativeFileSystem.SetModificationTime(path, SomeInstantNs));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FsyncPath_FileAndDirectory_ReturnTrue()
    {
        var file = _dir.Combine("file");
        File.WriteAllText(file, "x");

        Assert.True(NativeFileSystem.FsyncPath(file));
        Assert.True(NativeFileSystem.FsyncPath(_dir.Path));
    }

    [Fact]
    public void FsyncPath_MissingPath_ReturnsFalse() => Assert.False(NativeFileSystem.FsyncPath(_dir.Combine("gone")));

    [Fact]
    public void FsyncPath_PathThroughAFile_ThrowsIOExceptionNamingIt()
    {
        var file = _dir.Combine("plain");
        File.WriteAllText(file, "x");
        var path = Path.Combine(file, "child");

        var e = Assert.ThrowsAny<IOException>(() => NativeFileSystem.FsyncPath(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(20, e.HResult);
    }

    [Fact]
    public void Fsync_OpenHandle_Succeeds()
    {
        var path = _dir.Combine("file");
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        RandomAccess.Write(handle, "data"u8, 0);

        NativeFileSystem.Fsync(handle, path);

        Assert.Equal(4, NativeFileSystem.GetStatus(path).Size);
    }

    [Fact]
    public void SyncFileSystem_ExistingFolder_Succeeds()
    {
        File.WriteAllText(_dir.Combine("file"), "x");

        var e = Record.Exception(() => NativeFileSystem.SyncFileSystem(_dir.Path));

        Assert.Null(e);
    }

    [Fact]
    public void SyncFileSystem_HeldHandle_CanBeCalledRepeatedly()
    {
        using var handle = NativeFileSystem.OpenReadOnly(_dir.Path);

        for (var i = 0; i < 3; i++)
        {
            File.WriteAllText(_dir.Combine($"file{i}"), "x");
            NativeFileSystem.SyncFileSystem(handle, _dir.Path);
        }

        Assert.False(handle.IsInvalid);
        Assert.Equal(3, Directory.GetFiles(_dir.Path).Length);
    }

    [Fact]
    public void OpenReadOnly_MissingPath_ThrowsIOExceptionWithErrnoNamingIt()
    {
        var path = _dir.Combine("gone");

        var e = Assert.ThrowsAny<IOException>(() => NativeFileSystem.OpenReadOnly(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.HResult);
    }

    [Fact]
    public void StartWriteBack_WrittenFile_LeavesItsContentsAlone()
    {
        var path = _dir.Combine("file");
        var data = TestFiles.Random(1 << 20, seed: 1);
        using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            RandomAccess.Write(handle, data, 0);
            NativeFileSystem.StartWriteBack(handle);
            NativeFileSystem.Fsync(handle, path);
        }

        Assert.Equal(data, File.ReadAllBytes(path));
    }

    [Fact]
    public void SyncFileSystem_MissingPath_ThrowsIOExceptionNamingIt()
    {
        var path = _dir.Combine("gone");

        var e = Assert.ThrowsAny<IOException>(() => NativeFileSystem.SyncFileSystem(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.HResult);
    }
}
