using Isg.Protocol.Keys;

namespace Isg.Protocol.Tests.Keys;

public sealed class Argon2idTests
{
    // Produced with Debian's reference CLI (package argon2, 0~20171227):
    //   echo -n password | argon2 somesaltsomesalt -id -t 2 -m 16 -p 4 -l 32 -r
    // (-m 16 means 2^16 KiB = 64 MiB.)
    private const string PasswordT2M64P4 = "ef68e65f3629bffdbcc81c7488c3a1d194b768a32db1a28575a4d675dba0da0f";

    // echo -n password | argon2 somesaltsomesalt -id -t 1 -m 13 -p 1 -l 32 -r   (8 MiB, the ForTests preset)
    private const string PasswordT1M8P1 = "84fb006bbc3cd69895722b64b5bf735251a9e8e9f3ecb93ff595b98aeb7accb7";

    [Fact]
    public void DeriveKey_ReferenceCliVector_Matches()
    {
        var output = new byte[32];
        Argon2id.DeriveKey("password"u8, "somesaltsomesalt"u8, new Argon2Parameters(64 * 1024, 2, 4), output);
        Assert.Equal(PasswordT2M64P4, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void DeriveKey_TestPresetVector_Matches()
    {
        var output = new byte[32];
        Argon2id.DeriveKey("password"u8, "somesaltsomesalt"u8, Argon2Parameters.ForTests, output);
        Assert.Equal(PasswordT1M8P1, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void DeriveKey_DifferentSaltOrPassphrase_DifferentKeys()
    {
        var a = new byte[32];
        var b = new byte[32];
        var c = new byte[32];
        Argon2id.DeriveKey("password"u8, "somesaltsomesalt"u8, Argon2Parameters.ForTests, a);
        Argon2id.DeriveKey("password"u8, "somesaltsomesalT"u8, Argon2Parameters.ForTests, b);
        Argon2id.DeriveKey("Password"u8, "somesaltsomesalt"u8, Argon2Parameters.ForTests, c);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void DeriveKey_BadArguments_Throw()
    {
        var output = new byte[32];
        Assert.Throws<ArgumentOutOfRangeException>(() => Argon2id.DeriveKey("p"u8, "short"u8, Argon2Parameters.ForTests, output));
        Assert.Throws<ArgumentOutOfRangeException>(() => Argon2id.DeriveKey("p"u8, "somesaltsomesalt"u8, Argon2Parameters.ForTests, new byte[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Argon2id.DeriveKey("p"u8, "somesaltsomesalt"u8, new Argon2Parameters(1024, 1, 1), output));
        Assert.Throws<ArgumentNullException>(() => Argon2id.DeriveKey("p"u8, "somesaltsomesalt"u8, null!, output));
    }
}
