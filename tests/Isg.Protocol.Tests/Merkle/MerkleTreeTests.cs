using System.Security.Cryptography;
using Isg.Protocol.Hashing;
using Isg.Protocol.Merkle;

namespace Isg.Protocol.Tests.Merkle;

public sealed class MerkleTreeTests
{
    private static readonly Hash256 s_a = Hash256.Compute("a"u8);
    private static readonly Hash256 s_b = Hash256.Compute("b"u8);
    private static readonly Hash256 s_c = Hash256.Compute("c"u8);

    [Theory]
    [InlineData(0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData(1, "a23bd5b06da9048238a65b3f1d9d0b9e15fae3dde262688e6489aa4c763d1820")]
    [InlineData(2, "ad5ca6cddc0b27c6a83e332bf28011769236e6c6a1f786ebf7b5267b37a5bd22")]
    [InlineData(3, "cac3d448d4e20a2ad5eae1f500e63c2a7f9217cd14572ba7fd22e26dc1ec2648")]
    public void ComputeRoot_LeavesShaOfABC_MatchesKnownAnswer(int count, string expectedHex)
    {
        // Expected roots computed once with Python hashlib from the definition (0x00 leaf, 0x01 node prefixes).
        Hash256[] leaves = [.. new[] { s_a, s_b, s_c }.Take(count)];
        Assert.Equal(expectedHex, MerkleTree.ComputeRoot(leaves).ToHex());
        Assert.Equal(expectedHex, ReferenceRoot(leaves).ToHex());
    }

    [Fact]
    public void ComputeRoot_0To100Leaves_MatchesRecursiveReference()
    {
        var leaves = Leaves(100);
        for (var n = 0; n <= leaves.Length; n++)
        {
            Assert.Equal(ReferenceRoot(leaves[..n]), MerkleTree.ComputeRoot(leaves.AsSpan(0, n)));
        }
    }

    [Fact]
    public void Builder_0To100Leaves_SameRootAsStatic()
    {
        var leaves = Leaves(100);
        var builder = new MerkleTreeBuilder();
        Assert.Equal(MerkleTree.EmptyRoot, builder.ComputeRoot());
        for (var n = 1; n <= leaves.Length; n++)
        {
            builder.Append(leaves[n - 1]);
            var expected = MerkleTree.ComputeRoot(leaves.AsSpan(0, n));
            Assert.Equal(n, builder.Count);
            Assert.Equal(expected, builder.ComputeRoot());
            // Computing the root must not disturb the builder.
            Assert.Equal(expected, builder.ComputeRoot());
        }
    }

    [Fact]
    public void Builder_HashedLeaves_SameRootAsLeaves()
    {
        var leaves = Leaves(37);
        var builder = new MerkleTreeBuilder();
        for (var n = 1; n <= leaves.Length; n++)
        {
            builder.AppendHashedLeaf(MerkleTree.HashLeaf(leaves[n - 1]));
            Assert.Equal(MerkleTree.ComputeRoot(leaves.AsSpan(0, n)), builder.ComputeRoot());
        }
    }

    [Fact]
    public void Builder_Clear_StartsOver()
    {
        var builder = new MerkleTreeBuilder();
        foreach (var leaf in Leaves(7))
        {
            builder.Append(leaf);
        }

        builder.Clear();
        Assert.Equal(0, builder.Count);
        Assert.Equal(Hash256.Empty, builder.ComputeRoot());
        builder.Append(s_a);
        builder.Append(s_b);
        Assert.Equal("ad5ca6cddc0b27c6a83e332bf28011769236e6c6a1f786ebf7b5267b37a5bd22", builder.ComputeRoot().ToHex());
    }

    [Fact]
    public void ComputeRoot_OrderMatters()
    {
        Assert.NotEqual(MerkleTree.ComputeRoot([s_a, s_b]), MerkleTree.ComputeRoot([s_b, s_a]));
    }

    [Fact]
    public void ComputeRoot_InnerNodeGivenAsLeaf_DiffersFromTree()
    {
        // Domain separation: a node hash passed off as a single leaf (or a leaf hash as a leaf) cannot forge a root.
        var node = MerkleTree.HashNode(MerkleTree.HashLeaf(s_a), MerkleTree.HashLeaf(s_b));
        Assert.NotEqual(MerkleTree.ComputeRoot([s_a, s_b]), MerkleTree.ComputeRoot([node]));
        Assert.NotEqual(s_a, MerkleTree.ComputeRoot([s_a]));
    }

    [Fact]
    public void GetInclusionProof_EveryIndexUpTo33Leaves_Verifies()
    {
        var leaves = Leaves(33);
        for (var n = 1; n <= leaves.Length; n++)
        {
            var root = ReferenceRoot(leaves[..n]);
            for (var index = 0; index < n; index++)
            {
                var proof = MerkleTree.GetInclusionProof(leaves.AsSpan(0, n), index);
                Assert.Equal(index, proof.Index);
                Assert.Equal(n, proof.Count);
                Assert.True(proof.Verify(leaves[index], root), $"n={n} index={index}");
            }
        }
    }

    [Fact]
    public void GetInclusionProof_ThreeLeaves_PathMatchesRfc6962()
    {
        var la = MerkleTree.HashLeaf(s_a);
        var lb = MerkleTree.HashLeaf(s_b);
        var lc = MerkleTree.HashLeaf(s_c);
        Hash256[] leaves = [s_a, s_b, s_c];
        Assert.Equal([lb, lc], MerkleTree.GetInclusionProof(leaves, 0).Path);
        Assert.Equal([la, lc], MerkleTree.GetInclusionProof(leaves, 1).Path);
        Assert.Equal([MerkleTree.HashNode(la, lb)], MerkleTree.GetInclusionProof(leaves, 2).Path);
        Assert.Empty(MerkleTree.GetInclusionProof([s_a], 0).Path);
    }

    [Fact]
    public void Verify_TamperedProofs_Fail()
    {
        var leaves = Leaves(33);
        for (var n = 1; n <= leaves.Length; n++)
        {
            var root = MerkleTree.ComputeRoot(leaves.AsSpan(0, n));
            for (var index = 0; index < n; index++)
            {
                var proof = MerkleTree.GetInclusionProof(leaves.AsSpan(0, n), index);
                var path = proof.Path.ToArray();

                Assert.False(proof.Verify(leaves[(index + 1) % leaves.Length], root));
                Assert.False(proof.Verify(leaves[index], Hash256.Compute("other root"u8)));
                for (var i = 0; i < path.Length; i++)
                {
                    var tampered = (Hash256[])path.Clone();
                    tampered[i] = Hash256.Compute(tampered[i].ToArray());
                    Assert.False(new MerkleProof(index, n, tampered).Verify(leaves[index], root));
                }

                Assert.False(new MerkleProof(index, n, [.. path, root]).Verify(leaves[index], root));
                if (path.Length > 0)
                {
                    Assert.False(new MerkleProof(index, n, path[..^1]).Verify(leaves[index], root));
                }

                if (n > 1)
                {
                    var otherIndex = index == 0 ? 1 : index - 1;
                    Assert.False(new MerkleProof(otherIndex, n, path).Verify(leaves[index], root));
                }
            }
        }
    }

    [Theory]
    [InlineData(-1, 3)]
    [InlineData(3, 3)]
    [InlineData(0, 0)]
    [InlineData(5, -1)]
    public void Verify_IndexOutsideTree_ReturnsFalse(int index, int count)
    {
        Assert.False(new MerkleProof(index, count, []).Verify(s_a, MerkleTree.ComputeRoot([s_a])));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void GetInclusionProof_IndexOutOfRange_Throws(int index)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.GetInclusionProof([s_a, s_b, s_c], index));
    }

    [Fact]
    public void Ctor_CopiesPath()
    {
        var path = new List<Hash256> { s_a };
        var proof = new MerkleProof(0, 2, path);
        path[0] = s_c;
        Assert.Equal(s_a, proof.Path[0]);
    }

    private static Hash256[] Leaves(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Hash256.Compute(BitConverter.GetBytes(i)))];

    // Straight from RFC 6962 §2.1, with its own SHA-256 calls rather than MerkleTree's helpers.
    private static Hash256 ReferenceRoot(ReadOnlySpan<Hash256> leaves)
    {
        if (leaves.Length == 0)
        {
            return Hash256.Compute([]);
        }

        if (leaves.Length == 1)
        {
            return Hash256.Compute([0x00, .. leaves[0].ToArray()]);
        }

        var k = 1;
        while (k * 2 < leaves.Length)
        {
            k *= 2;
        }

        var left = ReferenceRoot(leaves[..k]).ToArray();
        var right = ReferenceRoot(leaves[k..]).ToArray();
        return Hash256.FromBytes(SHA256.HashData([0x01, .. left, .. right]));
    }
}
