using System.Buffers.Binary;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;

namespace Isg.Protocol.Tests.Keys;

public sealed class KeyFileTests
{
    private static readonly byte[] s_passphrase = "correct horse battery staple"u8.ToArray();
    private static readonly BlockId s_probe = BlockId.Compute("probe"u8);

    [Fact]
    public void WrapThenTryUnwrap_RightPassphrase_SameKey()
    {
        using var key = RepositoryKey.Generate();
        var file = KeyFile.Wrap(key, s_passphrase, Argon2Parameters.ForTests);

        Assert.Equal(KeyFile.Size, file.Length);
        Assert.Equal(DecodeStatus.Done, KeyFile.TryUnwrap(file, s_passphrase, out var unwrapped, out _));
        using (unwrapped)
        {
            Assert.NotNull(unwrapped);
            Assert.Equal(key.ObjectName(s_probe), unwrapped.ObjectName(s_probe));
            Assert.Equal(key.ChunkerSeed.ToArray(), unwrapped.ChunkerSeed.ToArray());
        }
    }

    [Fact]
    public void Wrap_Layout_MagicVersionKdfAndParameters()
    {
        using var key = RepositoryKey.Generate();
        var file = KeyFile.Wrap(key, s_passphrase, new Argon2Parameters(9000, 2, 3));

        Assert.Equal("ISGK"u8.ToArray(), file[..4]);
        Assert.Equal(1, file[4]);
        Assert.Equal(1, file[5]);
        Assert.Equal(9000u, BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(6)));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(10)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(14)));
        Assert.True(file.AsSpan().IndexOf(key.Master[..8]) < 0, "the master key must not appear in clear");
    }

    [Fact]
    public void Wrap_SameKeyTwice_FreshSaltAndNonce()
    {
        using var key = RepositoryKey.Generate();
        var first = KeyFile.Wrap(key, s_passphrase, Argon2Parameters.ForTests);
        var second = KeyFile.Wrap(key, s_passphrase, Argon2Parameters.ForTests);

        Assert.NotEqual(first.AsSpan(18, 16).ToArray(), second.AsSpan(18, 16).ToArray());
        Assert.NotEqual(first.AsSpan(34, 12).ToArray(), second.AsSpan(34, 12).ToArray());
    }

    [Fact]
    public void TryUnwrap_WrongPassphrase_WrongPassphrase()
    {
        using var key = RepositoryKey.Generate();
        var file = KeyFile.Wrap(key, s_passphrase, Argon2Parameters.ForTests);

        Assert.Equal(DecodeStatus.Invalid, KeyFile.TryUnwrap(file, "correct horse battery stapler"u8, out var unwrapped, out var error));
        Assert.Null(unwrapped);
        Assert.Equal(ProtocolErrorKind.WrongPassphrase, error.Kind);
    }

    [Fact]
    public void TryUnwrap_AnySingleByteFlipped_Rejected()
    {
        using var key = RepositoryKey.Generate();
        var file = KeyFile.Wrap(key, s_passphrase, Argon2Parameters.ForTests);

        for (var offset = 0; offset < file.Length; offset++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80 })
            {
                file[offset] ^= mask;
                var status = KeyFile.TryUnwrap(file, s_passphrase, out var unwrapped, out var error);
                file[offset] ^= mask;

                Assert.Equal(DecodeStatus.Invalid, status);
                Assert.Null(unwrapped);
                Assert.True(error.Kind is ProtocolErrorKind.BadMagic or ProtocolErrorKind.UnsupportedVersion
                    or ProtocolErrorKind.BadField or ProtocolErrorKind.WrongPassphrase, $"offset {offset}: {error}");
            }
        }

        Assert.Equal(DecodeStatus.Done, KeyFile.TryUnwrap(file, s_passphrase, out var intact, out _));
        intact?.Dispose();
    }

    [Fact]
    public void TryUnwrap_TruncatedAtEveryOffsetOrExtended_RejectedBeforeTheKdf()
    {
        using var key = RepositoryKey.Generate();
        var file = KeyFile.Wrap(key, s_passphrase, Argon2Parameters.ForTests);

        for (var length = 0; length < file.Length; length++)
        {
            Assert.Equal(DecodeStatus.Invalid, KeyFile.TryUnwrap(file.AsSpan(0, length), s_passphrase, out _, out var error));
            Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
        }

        var extended = file.Concat(new byte[] { 0 }).ToArray();
        Assert.Equal(DecodeStatus.Invalid, KeyFile.TryUnwrap(extended, s_passphrase, out _, out var extendedError));
        Assert.Equal(ProtocolErrorKind.TooLarge, extendedError.Kind);
    }

    [Theory]
    [InlineData(6, 0xffffffffu)] // memory: 4 TiB
    [InlineData(6, 0x00000400u)] // memory: 1 MiB, below the floor
    [InlineData(10, 0x7fffffffu)] // iterations
    [InlineData(14, 0x00000000u)] // parallelism
    [InlineData(14, 0x00010000u)]
    public void TryUnwrap_ParametersOutOfBounds_BadFieldWithoutRunningTheKdf(int offset, uint value)
    {
        using var key = RepositoryKey.Generate();
        var file = KeyFile.Wrap(key, s_passphrase, Argon2Parameters.ForTests);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(offset), value);

        Assert.Equal(DecodeStatus.Invalid, KeyFile.TryUnwrap(file, s_passphrase, out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadField, error.Kind);
    }

    [Fact]
    public void TryUnwrap_ParametersWeakenedWithinBounds_FailsAuthentication()
    {
        using var key = RepositoryKey.Generate();
        var file = KeyFile.Wrap(key, s_passphrase, new Argon2Parameters(16 * 1024, 2, 1));
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(6), 8 * 1024);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(10), 1);

        Assert.Equal(DecodeStatus.Invalid, KeyFile.TryUnwrap(file, s_passphrase, out _, out var error));
        Assert.Equal(ProtocolErrorKind.WrongPassphrase, error.Kind);
    }

    [Theory]
    [InlineData(0, 0x58, ProtocolErrorKind.BadMagic)]
    [InlineData(4, 0x02, ProtocolErrorKind.UnsupportedVersion)]
    [InlineData(5, 0x02, ProtocolErrorKind.BadField)]
    [InlineData(5, 0x00, ProtocolErrorKind.BadField)]
    public void TryUnwrap_BadHeaderByte_TypedError(int offset, byte value, ProtocolErrorKind expected)
    {
        using var key = RepositoryKey.Generate();
        var file = KeyFile.Wrap(key, s_passphrase, Argon2Parameters.ForTests);
        file[offset] = value;

        Assert.Equal(DecodeStatus.Invalid, KeyFile.TryUnwrap(file, s_passphrase, out _, out var error));
        Assert.Equal(expected, error.Kind);
        Assert.Equal(offset, error.Offset);
    }

    [Fact]
    public void Wrap_InvalidParameters_Throws()
    {
        using var key = RepositoryKey.Generate();
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyFile.Wrap(key, s_passphrase, new Argon2Parameters(1024, 1, 1)));
    }
}
