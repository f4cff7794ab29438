using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;

namespace Isg.Protocol.Tests.Keys;

public sealed class RepositoryKeyTests
{
    // Computed independently with Python's hmac/hashlib (RFC 5869 by hand) for master = 00 01 .. 1f:
    //   prk = HMAC(salt="isg/v1/repository", master); subkey(label) = HKDF-Expand(prk, label, 32)
    //   block key = HKDF-Expand(subkey("isg/v1/block"), "isg/v1/block" || SHA-256("hello"), 32)
    //   object name = HMAC(subkey("isg/v1/name"), SHA-256("hello")); chunker seed = subkey("isg/v1/chunker")
    // These pin the on-disk meaning of a repository key: changing them orphans every stored block.
    private const string BlockKeyHello = "dd4ea12aae486f3fd4f1831d9db469546ef08c42fc52584ac36df5a5cfb48b22";
    private const string ObjectNameHello = "79790506df5e4d1cd80bb61aa806b70b7301caf76586df158a754a0934338bb3";
    private const string ChunkerSeed = "00ae86774b03380a242d54e84258a29563b62fb51c8c834be53cfd2d9deb5580";

    private static readonly BlockId s_hello = BlockId.Compute("hello"u8);

    private static byte[] SequentialMaster() => Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Derivations_FixedMaster_MatchIndependentVectors()
    {
        using var key = RepositoryKey.FromBytes(SequentialMaster());
        var blockKey = new byte[32];
        key.DeriveBlockKey(s_hello, blockKey);

        Assert.Equal(BlockKeyHello, Convert.ToHexStringLower(blockKey));
        Assert.Equal(ObjectNameHello, key.ObjectName(s_hello));
        Assert.Equal(ChunkerSeed, Convert.ToHexStringLower(key.ChunkerSeed));
    }

    [Fact]
    public void PeerDerivations_FixedMaster_MatchIndependentVectors()
    {
        // Python: hmac.new(master, b"isg/v1/repository-id", sha256) and HKDF-Expand(prk, "isg/v1/cluster-secret", 32).
        using var key = RepositoryKey.FromBytes(SequentialMaster());

        Assert.Equal("49872825a9bdd67a9cc5e8f4b33c02326499695775e81890661e94e5098957b1", Convert.ToHexStringLower(key.ComputeRepositoryId()));
        Assert.Equal("56be1f2b1aa8bb9cae3421c55dd86e2315cd92877044e72f2b0ee75c9ce0ceb0", Convert.ToHexStringLower(key.ClusterSecretKey));
        Assert.NotEqual(key.BackendSecretsKey.ToArray(), key.ClusterSecretKey.ToArray());
    }

    [Fact]
    public void DeriveBlockKey_DiffersPerBlockIdAndFromOtherPurposes()
    {
        using var key = RepositoryKey.Generate();
        var a = new byte[32];
        var b = new byte[32];
        var again = new byte[32];
        key.DeriveBlockKey(s_hello, a);
        key.DeriveBlockKey(BlockId.Compute("hellp"u8), b);
        key.DeriveBlockKey(s_hello, again);

        Assert.NotEqual(a, b);
        Assert.Equal(a, again);
        Assert.NotEqual(a, key.ChunkerSeed.ToArray());
        Assert.NotEqual(Convert.ToHexStringLower(a), key.ObjectName(s_hello));
        Assert.NotEqual(key.Master.ToArray(), a);
        Assert.NotEqual(key.Master.ToArray(), key.ChunkerSeed.ToArray());
    }

    [Fact]
    public void ObjectName_Is64LowercaseHexAndDiffersAcrossKeysAndIds()
    {
        using var one = RepositoryKey.Generate();
        using var two = RepositoryKey.Generate();

        var name = one.ObjectName(s_hello);

        Assert.Matches("^[0-9a-f]{64}$", name);
        Assert.NotEqual(name, two.ObjectName(s_hello));
        Assert.NotEqual(name, one.ObjectName(BlockId.Compute("other"u8)));
        Assert.NotEqual(s_hello.ToHex(), name);
    }

    [Fact]
    public void FromBytes_SameMaster_SameDerivations()
    {
        using var original = RepositoryKey.Generate();
        using var copy = RepositoryKey.FromBytes(original.Master);

        Assert.Equal(original.ObjectName(s_hello), copy.ObjectName(s_hello));
        Assert.Equal(original.ChunkerSeed.ToArray(), copy.ChunkerSeed.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void FromBytes_WrongLength_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => RepositoryKey.FromBytes(new byte[length]));
    }

    [Fact]
    public void ToString_RevealsNoKeyMaterial()
    {
        using var key = RepositoryKey.FromBytes(SequentialMaster());
        var text = key.ToString();

        Assert.DoesNotContain(Convert.ToHexStringLower(SequentialMaster())[..8], text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ChunkerSeed[..8], text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(SequentialMaster())[..8], text, StringComparison.Ordinal);
        Assert.Equal("RepositoryKey (secret)", text);
    }

    [Fact]
    public void Dispose_ZeroesSecretsAndBlocksUse()
    {
        var key = RepositoryKey.FromBytes(SequentialMaster());
        var seed = key.ChunkerSeed;

        key.Dispose();
        key.Dispose();

        // The span still points at the pinned array: it must now read as zeros.
        Assert.All(seed.ToArray(), b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => key.ObjectName(s_hello));
        Assert.Throws<ObjectDisposedException>(() => key.DeriveBlockKey(s_hello, new byte[32]));
        Assert.Throws<ObjectDisposedException>(() => key.ChunkerSeed.Length);
    }

    [Fact]
    public void DeriveBlockKey_ShortOutput_Throws()
    {
        using var key = RepositoryKey.Generate();
        Assert.Throws<ArgumentOutOfRangeException>(() => key.DeriveBlockKey(s_hello, new byte[31]));
    }
}
