using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;

namespace Isg.Protocol.Tests.Peers;

public sealed class ClusterProofTests
{
    // Python: repository id = HMAC(00..1f, "isg/v1/repository-id"); key = HKDF-SHA256(ikm=secret,
    // salt="isg/v1/cluster", info=repository id, 32); proof = HMAC(key, "isg/v1/cluster" || 01*32 || 02*32 || role).
    private const string RepositoryIdHex = "49872825a9bdd67a9cc5e8f4b33c02326499695775e81890661e94e5098957b1";
    private const string Secret = "correct horse battery staple";
    private const string KeyHex = "1421e246a9bf12867731b160132bb0cd306d05b33080512c10365690442aab78";
    private const string DiallerProofHex = "5cfb0adc6cf9c60f4725b9828332210d4fb4ffdb686b65fecda5817bf65cbb6b";
    private const string AcceptorProofHex = "4d3e1fff809da4775e27d94052676e8b430b9564bfdaa91606e8968d17e2c96c";

    private static readonly DeviceId s_dialler = DeviceId.FromHash(Hash256.FromBytes(Enumerable.Repeat((byte)1, 32).ToArray()));
    private static readonly DeviceId s_acceptor = DeviceId.FromHash(Hash256.FromBytes(Enumerable.Repeat((byte)2, 32).ToArray()));

    [Fact]
    public void DeriveKeyAndCompute_FixedInputs_MatchIndependentVectors()
    {
        var key = new byte[ClusterProof.Length];
        ClusterProof.DeriveKey(Secret, Convert.FromHexString(RepositoryIdHex), key);
        var proof = new byte[ClusterProof.Length];

        Assert.Equal(KeyHex, Convert.ToHexStringLower(key));
        ClusterProof.Compute(key, s_dialler, s_acceptor, PeerRole.Dialler, proof);
        Assert.Equal(DiallerProofHex, Convert.ToHexStringLower(proof));
        ClusterProof.Compute(key, s_dialler, s_acceptor, PeerRole.Acceptor, proof);
        Assert.Equal(AcceptorProofHex, Convert.ToHexStringLower(proof));
    }

    [Fact]
    public void Verify_OnlyTheSameKeyPairAndRole_Accepts()
    {
        var key = new byte[32];
        ClusterProof.DeriveKey(Secret, Convert.FromHexString(RepositoryIdHex), key);
        var other = new byte[32];
        ClusterProof.DeriveKey(Secret + "!", Convert.FromHexString(RepositoryIdHex), other);
        var otherRepository = new byte[32];
        ClusterProof.DeriveKey(Secret, new byte[32], otherRepository);
        var proof = new byte[32];
        ClusterProof.Compute(key, s_dialler, s_acceptor, PeerRole.Dialler, proof);

        Assert.True(ClusterProof.Verify(key, s_dialler, s_acceptor, PeerRole.Dialler, proof));
        // A reflected proof (the dialler's, sent back as the acceptor's) does not verify.
        Assert.False(ClusterProof.Verify(key, s_dialler, s_acceptor, PeerRole.Acceptor, proof));
        Assert.False(ClusterProof.Verify(key, s_acceptor, s_dialler, PeerRole.Dialler, proof));
        Assert.False(ClusterProof.Verify(other, s_dialler, s_acceptor, PeerRole.Dialler, proof));
        Assert.False(ClusterProof.Verify(otherRepository, s_dialler, s_acceptor, PeerRole.Dialler, proof));
        Assert.False(ClusterProof.Verify(key, s_dialler, s_acceptor, PeerRole.Dialler, proof.AsSpan(0, 31)));
        Assert.False(ClusterProof.Verify(key, s_dialler, s_acceptor, PeerRole.Dialler, []));
    }

    [Fact]
    public void DeriveKey_ShortSecret_Throws()
    {
        var key = new byte[32];
        Assert.Throws<ArgumentException>(() => ClusterProof.DeriveKey(new string('x', ClusterProof.MinSecretLength - 1), [], key));
    }
}
