using System.Text;
using Isg.Actors.Repositories;
using Isg.Actors.Storage;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Repositories;

public sealed class RepositoryTests : IDisposable
{
    private static readonly byte[] OtherPassphrase = Encoding.UTF8.GetBytes("another passphrase");
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Root => _dir.Combine("repo");

    private Repository Init() => Repository.Initialize(Root, TestRepository.Passphrase, TestRepository.InitOptions, NullLoggerFactory.Instance);

    private Repository Open(byte[]? passphrase = null) => Repository.Open(Root, passphrase ?? TestRepository.Passphrase, NullLoggerFactory.Instance);

    private static string Fingerprint(Repository repository) => repository.Key.ObjectName(BlockId.Compute("fingerprint"u8));

    [Fact]
    public void Initialize_AbsentFolder_CreatesLayoutKeyCatalogueAndMarker()
    {
        using var repository = Init();

        var layout = new RepositoryLayout(Root);
        Assert.Equal(layout.Root, repository.Layout.Root);
        Assert.True(Directory.Exists(layout.BlocksDirectory));
        Assert.True(File.Exists(layout.CatalogFile));
        var keyFile = Assert.Single(Directory.GetFiles(layout.KeysDirectory));
        Assert.EndsWith(".key", keyFile, StringComparison.Ordinal);
        Assert.Equal(KeyFile.Size, new FileInfo(keyFile).Length);
        var marker = RepositoryMarker.Parse(File.ReadAllBytes(layout.MarkerFile), layout.MarkerFile);
        Assert.Equal(RepositoryMarker.FormatName, marker.Format);
        Assert.Equal(RepositoryMarker.CurrentVersion, marker.Version);
        Assert.Equal(repository.Id, marker.Id);
        Assert.Equal(32, marker.Id.Length);
    }

    [Fact]
    public void Initialize_CreatesTheNodeIdentity_WhichOpeningKeeps()
    {
        string id;
        using (var repository = Init())
        {
            var file = Path.Combine(repository.Layout.IdentityDirectory, Isg.Actors.Peers.Identity.NodeIdentity.FileName);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            using var identity = repository.LoadIdentity();
            id = identity.DeviceId.ToString();
        }

        using var reopened = Open();
        using var again = reopened.LoadIdentity();
        Assert.Equal(id, again.DeviceId.ToString());
    }

    [Fact]
    public void Initialize_InterruptedWithAForeignFileInTheIdentityFolder_IsRefused()
    {
        using (Init())
        {
        }

        var layout = new RepositoryLayout(Root);
        File.Delete(layout.MarkerFile);
        File.WriteAllText(Path.Combine(layout.IdentityDirectory, "someone-elses.pem"), "not ours");

        Assert.Equal(RepositoryErrorKind.AlreadyExists, Assert.Throws<RepositoryException>(() => Init()).Kind);
        Assert.True(File.Exists(Path.Combine(layout.IdentityDirectory, "someone-elses.pem")));
    }

    [Fact]
    public void Initialize_EmptyFolder_Succeeds()
    {
        Directory.CreateDirectory(Root);

        using var repository = Init();

        Assert.True(Repository.Exists(Root));
    }

    [Fact]
    public void Initialize_Marker_IsWrittenLast()
    {
        using var repository = Init();

        // Checked while open: closing the catalogue checkpoints its WAL into catalog.db after the marker.
        var layout = repository.Layout;
        var marker = NativeFileSystem.GetStatus(layout.MarkerFile).MtimeUnixNs;
        string[] parts = [Directory.GetFiles(layout.KeysDirectory).Single(), layout.BlocksDirectory, layout.KeysDirectory, layout.CatalogFile];
        Assert.All(parts, part => Assert.True(marker >= NativeFileSystem.GetStatus(part).MtimeUnixNs, part));
    }

    [Fact]
    public void Exists_WithoutMarker_IsFalseAndInitializeStartsOver()
    {
        string firstId;
        using (var first = Init())
        {
            firstId = first.Id;
        }

        Assert.True(Repository.Exists(Root));
        File.Delete(new RepositoryLayout(Root).MarkerFile);

        // A half-made repository (init interrupted before the marker) is not a repository: init clears it and starts over.
        Assert.False(Repository.Exists(Root));
        var open = Assert.Throws<RepositoryException>(() => Open());
        Assert.Equal(RepositoryErrorKind.NotFound, open.Kind);
        using var second = Init();
        Assert.NotEqual(firstId, second.Id);
        Assert.Single(Directory.GetFiles(second.Layout.KeysDirectory));
    }

    [Fact]
    public void Initialize_LeftoversWithAStoredBlock_ThrowsAlreadyExistsAndKeepsThem()
    {
        using (Init())
        {
        }

        var layout = new RepositoryLayout(Root);
        File.Delete(layout.MarkerFile);
        var block = Path.Combine(layout.BlocksDirectory, "ab", "ab0123456789abcdef");
        TestFiles.Write(block, [1, 2, 3]);

        var e = Assert.Throws<RepositoryException>(() => Init());

        Assert.Equal(RepositoryErrorKind.AlreadyExists, e.Kind);
        Assert.True(File.Exists(block));
    }

    [Theory]
    [InlineData("keys/id_ed25519")]
    [InlineData("keys/notes/todo.txt")]
    [InlineData("catalog.db")]
    [InlineData("blocks/tmp/../photo.jpg")]
    public void Initialize_FolderWithLookalikeNames_ThrowsAlreadyExistsAndDeletesNothing(string relative)
    {
        // Someone else's files that merely share our folder names are not an interrupted init.
        var path = Path.GetFullPath(Path.Combine(Root, relative));
        TestFiles.Write(path, [1, 2, 3]);

        var e = Assert.Throws<RepositoryException>(() => Init());

        Assert.Equal(RepositoryErrorKind.AlreadyExists, e.Kind);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
    }

    [Fact]
    public void Exists_MissingOrEmptyFolder_IsFalse()
    {
        Assert.False(Repository.Exists(Root));
        Directory.CreateDirectory(Root);
        Assert.False(Repository.Exists(Root));
    }

    [Fact]
    public void Open_RightPassphrase_UnwrapsTheSameKeyAndId()
    {
        string id;
        string fingerprint;
        using (var created = Init())
        {
            id = created.Id;
            fingerprint = Fingerprint(created);
        }

        using var opened = Open();

        Assert.Equal(id, opened.Id);
        Assert.Equal(fingerprint, Fingerprint(opened));
        Assert.Equal(new RepositoryLayout(Root).Root, opened.Layout.Root);
    }

    [Fact]
    public void Open_WrongPassphrase_ThrowsWrongPassphrase()
    {
        using (Init())
        {
        }

        var e = Assert.Throws<RepositoryException>(() => Open(OtherPassphrase));

        Assert.Equal(RepositoryErrorKind.WrongPassphrase, e.Kind);
        Assert.Contains(new RepositoryLayout(Root).Root, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("correct horse", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NoRepository_ThrowsNotFound()
    {
        var e = Assert.Throws<RepositoryException>(() => Open());

        Assert.Equal(RepositoryErrorKind.NotFound, e.Kind);
        Assert.Contains(Root, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Initialize_NonEmptyFolder_ThrowsAlreadyExists()
    {
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, "notes.txt"), "mine");

        var e = Assert.Throws<RepositoryException>(() => Init());

        Assert.Equal(RepositoryErrorKind.AlreadyExists, e.Kind);
        Assert.Contains(Root, e.Message, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(Root).Select(Path.GetFileName));
    }

    [Fact]
    public void Initialize_ExistingRepository_ThrowsAlreadyExistsAndKeepsIt()
    {
        string id;
        using (var first = Init())
        {
            id = first.Id;
        }

        var e = Assert.Throws<RepositoryException>(() => Init());

        Assert.Equal(RepositoryErrorKind.AlreadyExists, e.Kind);
        using var opened = Open();
        Assert.Equal(id, opened.Id);
    }

    [Fact]
    public void Initialize_InvalidKdfParameters_ThrowsAndCreatesNothing()
    {
        Assert.ThrowsAny<ArgumentException>(() => Repository.Initialize(Root, TestRepository.Passphrase,
            new RepositoryInitOptions(new Argon2Parameters(1, 1, 1)), NullLoggerFactory.Instance));

        Assert.False(Directory.Exists(Root));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"format\":\"something-else\",\"version\":1,\"id\":\"abc\",\"created\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"format\":\"isg-repository\",\"version\":1,\"id\":\"\",\"created\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"format\":\"isg-repository\",\"version\":99,\"id\":\"abc\",\"created\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("null")]
    public void Open_DamagedMarker_ThrowsDamagedNamingTheMarker(string marker)
    {
        using (Init())
        {
        }

        var markerFile = new RepositoryLayout(Root).MarkerFile;
        File.WriteAllText(markerFile, marker);

        var e = Assert.Throws<RepositoryException>(() => Open());

        Assert.Equal(RepositoryErrorKind.Damaged, e.Kind);
        Assert.Contains(markerFile, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_GarbageKeyFile_ThrowsDamagedNamingTheFile()
    {
        using (Init())
        {
        }

        var keyFile = Directory.GetFiles(new RepositoryLayout(Root).KeysDirectory).Single();
        File.WriteAllBytes(keyFile, TestFiles.Random(KeyFile.Size, seed: 1));

        var e = Assert.Throws<RepositoryException>(() => Open());

        Assert.Equal(RepositoryErrorKind.Damaged, e.Kind);
        Assert.Contains(new RepositoryLayout(Root).KeysDirectory, e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(keyFile), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TruncatedKeyFile_ThrowsDamaged()
    {
        using (Init())
        {
        }

        var keyFile = Directory.GetFiles(new RepositoryLayout(Root).KeysDirectory).Single();
        File.WriteAllBytes(keyFile, File.ReadAllBytes(keyFile)[..20]);

        var e = Assert.Throws<RepositoryException>(() => Open());

        Assert.Equal(RepositoryErrorKind.Damaged, e.Kind);
        Assert.Contains(Path.GetFileName(keyFile), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NoKeyFiles_ThrowsDamagedNamingTheKeysFolder()
    {
        using (Init())
        {
        }

        var keys = new RepositoryLayout(Root).KeysDirectory;
        foreach (var file in Directory.GetFiles(keys))
        {
            File.Delete(file);
        }

        var e = Assert.Throws<RepositoryException>(() => Open());

        Assert.Equal(RepositoryErrorKind.Damaged, e.Kind);
        Assert.Contains(keys, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NoKeysFolder_ThrowsDamaged()
    {
        using (Init())
        {
        }

        Directory.Delete(new RepositoryLayout(Root).KeysDirectory, recursive: true);

        var e = Assert.Throws<RepositoryException>(() => Open());

        Assert.Equal(RepositoryErrorKind.Damaged, e.Kind);
    }

    [Fact]
    public void Open_SecondKeyFileUnderAnotherPassphrase_EitherPassphraseUnwrapsTheSameKey()
    {
        string fingerprint;
        using (var created = Init())
        {
            fingerprint = Fingerprint(created);
            // Sorts before the first key file, so Open meets it first with the original passphrase and must go on.
            File.WriteAllBytes(Path.Combine(created.Layout.KeysDirectory, "0000.key"),
                KeyFile.Wrap(created.Key, OtherPassphrase, Argon2Parameters.ForTests));
        }

        using (var first = Open())
        {
            Assert.Equal(fingerprint, Fingerprint(first));
        }

        using var second = Open(OtherPassphrase);
        Assert.Equal(fingerprint, Fingerprint(second));
        var e = Assert.Throws<RepositoryException>(() => Open(Encoding.UTF8.GetBytes("neither")));
        Assert.Equal(RepositoryErrorKind.WrongPassphrase, e.Kind);
    }

    [Fact]
    public void Open_GarbageKeyFileBesideAGoodOne_OpensAndWrongPassphraseIsStillWrongPassphrase()
    {
        string fingerprint;
        using (var created = Init())
        {
            fingerprint = Fingerprint(created);
            File.WriteAllBytes(Path.Combine(created.Layout.KeysDirectory, "0000.key"), "garbage"u8.ToArray());
        }

        using (var opened = Open())
        {
            Assert.Equal(fingerprint, Fingerprint(opened));
        }

        var e = Assert.Throws<RepositoryException>(() => Open(OtherPassphrase));
        Assert.Equal(RepositoryErrorKind.WrongPassphrase, e.Kind);
    }

    [Fact]
    public void Open_OtherFilesInKeysFolder_AreIgnored()
    {
        using (Init())
        {
        }

        File.WriteAllText(Path.Combine(new RepositoryLayout(Root).KeysDirectory, "README"), "not a key");

        using var opened = Open();
        Assert.True(Repository.Exists(Root));
    }

    [Fact]
    public void Dispose_ReleasesTheBlockStore_NoTempLockLeftBehind()
    {
        var created = Init();
        var temp = Path.Combine(created.Layout.BlocksDirectory, "tmp");
        Assert.NotEmpty(Directory.GetFileSystemEntries(temp));

        created.Dispose();

        Assert.Empty(Directory.GetFileSystemEntries(temp));
    }

    [Fact]
    public void CreateChunker_UsesTheSettings()
    {
        using var repository = Init();
        TestRepository.UseSmallChunks(repository.Settings);

        var chunker = repository.CreateChunker();

        Assert.Equal(TestRepository.MaxChunk, chunker.MaxChunkSize);
    }

    [Fact]
    public void CreateChunker_DependsOnTheRepositoryKey()
    {
        using var first = Init();
        using var second = Repository.Initialize(_dir.Combine("other"), TestRepository.Passphrase, TestRepository.InitOptions, NullLoggerFactory.Instance);
        var data = TestFiles.Random(256 * 1024, seed: 7);

        static List<int> Cuts(Repository repository, byte[] data)
        {
            var chunker = repository.CreateChunker();
            var cuts = new List<int>();
            var offset = 0;
            while (offset < data.Length)
            {
                offset += chunker.FindCutPoint(data.AsSpan(offset), isFinal: true);
                cuts.Add(offset);
            }

            return cuts;
        }

        TestRepository.UseSmallChunks(first.Settings);
        TestRepository.UseSmallChunks(second.Settings);

        // The gear table is secret (seeded from the key), so two repositories cut the same data differently.
        Assert.NotEqual(Cuts(first, data), Cuts(second, data));
        using var reopened = Repository.Open(first.Layout.Root, TestRepository.Passphrase, NullLoggerFactory.Instance);
        Assert.Equal(Cuts(first, data), Cuts(reopened, data));
    }

    private string JoinedRoot => _dir.Combine("joined");

    private Repository Join(string from, byte[]? passphrase = null) =>
        Repository.Join(JoinedRoot, from, passphrase ?? TestRepository.Passphrase, NullLoggerFactory.Instance);

    [Fact]
    public void Join_FromARepository_SameKeyAndIdFreshIdentityEmptyCatalogue()
    {
        using var original = Init();
        using (var writer = original.Catalog.CreateWriter())
        {
            writer.Commit([new Isg.Actors.Catalog.FileCommit("only-on-the-original", Isg.Actors.Catalog.FileKind.Directory, 0, 0x1ED, 1_700_000_000_000_000_000, null, default, [], [])], []);
        }

        using var joined = Join(Root);

        Assert.Equal(original.Id, joined.Id);
        Assert.Equal(Fingerprint(original), Fingerprint(joined));
        Assert.Equal(original.Key.ComputeRepositoryId(), joined.Key.ComputeRepositoryId());
        using var originalIdentity = original.LoadIdentity();
        using var joinedIdentity = joined.LoadIdentity();
        Assert.NotEqual(originalIdentity.DeviceId, joinedIdentity.DeviceId);
        using (var reader = joined.Catalog.CreateReader())
        {
            Assert.Empty(reader.ListFiles(string.Empty));
        }

        Assert.Equal(
            Directory.GetFiles(original.Layout.KeysDirectory).Select(Path.GetFileName),
            Directory.GetFiles(joined.Layout.KeysDirectory).Select(Path.GetFileName));
        Assert.True(Isg.Actors.Backends.Local.LocalBlockStore.HoldsNoObject(joined.Layout.BlocksDirectory));
    }

    [Fact]
    public void Join_FromAFlatFolderOfDescriptorAndKey_AsAMountedSecretHoldsThem()
    {
        using var original = Init();
        var flat = _dir.Combine("secret");
        Directory.CreateDirectory(flat);
        File.Copy(original.Layout.MarkerFile, Path.Combine(flat, "isg-repository.json"));
        File.Copy(Directory.GetFiles(original.Layout.KeysDirectory).Single(), Path.Combine(flat, "repository.key"));

        using var joined = Join(flat);

        Assert.Equal(Fingerprint(original), Fingerprint(joined));
        var key = Assert.Single(Directory.GetFiles(joined.Layout.KeysDirectory));
        Assert.Matches("^[0-9a-f]{16}\\.key$", Path.GetFileName(key));
        joined.Dispose();
        using var reopened = Repository.Open(JoinedRoot, TestRepository.Passphrase, NullLoggerFactory.Instance);
        Assert.Equal(original.Id, reopened.Id);
    }

    [Fact]
    public void Join_WrongPassphrase_ThrowsWrongPassphraseAndCreatesNothing()
    {
        using var original = Init();

        var e = Assert.Throws<RepositoryException>(() => Join(Root, OtherPassphrase));

        Assert.Equal(RepositoryErrorKind.WrongPassphrase, e.Kind);
        Assert.False(Directory.Exists(JoinedRoot));
    }

    [Fact]
    public void Join_NoDescriptorThere_ThrowsNotFound()
    {
        Directory.CreateDirectory(Root);

        var e = Assert.Throws<RepositoryException>(() => Join(Root));

        Assert.Equal(RepositoryErrorKind.NotFound, e.Kind);
        Assert.False(Directory.Exists(JoinedRoot));
    }

    [Fact]
    public void Join_IntoANonEmptyFolder_ThrowsAlreadyExistsAndKeepsItsFiles()
    {
        using var original = Init();
        Directory.CreateDirectory(JoinedRoot);
        File.WriteAllText(Path.Combine(JoinedRoot, "notes.txt"), "mine");

        var e = Assert.Throws<RepositoryException>(() => Join(Root));

        Assert.Equal(RepositoryErrorKind.AlreadyExists, e.Kind);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(JoinedRoot).Select(Path.GetFileName));
    }

    [Fact]
    public void Join_AnExistingRepository_ThrowsAlreadyExists()
    {
        using var original = Init();
        using (Join(Root))
        {
        }

        var e = Assert.Throws<RepositoryException>(() => Join(Root));

        Assert.Equal(RepositoryErrorKind.AlreadyExists, e.Kind);
    }
}
