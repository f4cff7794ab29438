using System.Numerics;
using System.Security.Cryptography;
using Isg.Protocol.Hashing;

namespace Isg.Protocol.Merkle;

/// <summary>
/// Binary SHA-256 Merkle trees over <see cref="Hash256"/> leaves in the RFC 6962 shape: n leaves split at the largest
/// power of two below n, so no node is duplicated. Domain separated: leaf hash = SHA-256(0x00 || leaf), node hash =
/// SHA-256(0x01 || left || right); the root of no leaves is SHA-256 of the empty string. Pure and thread-safe.
/// </summary>
public static class MerkleTree
{
    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    /// <summary>The root of no leaves: SHA-256 of the empty string.</summary>
    public static Hash256 EmptyRoot => Hash256.Empty;

    /// <summary>SHA-256(0x00 || the 32 leaf bytes): the hash a leaf enters the tree with.</summary>
    public static Hash256 HashLeaf(Hash256 leaf)
    {
        Span<byte> input = stackalloc byte[1 + Hash256.Length];
        input[0] = LeafPrefix;
        leaf.WriteTo(input[1..]);
        return Digest(input);
    }

    /// <summary>SHA-256(0x01 || left || right): the hash of an inner node.</summary>
    public static Hash256 HashNode(Hash256 left, Hash256 right)
    {
        Span<byte> input = stackalloc byte[1 + (2 * Hash256.Length)];
        input[0] = NodePrefix;
        left.WriteTo(input[1..]);
        right.WriteTo(input[(1 + Hash256.Length)..]);
        return Digest(input);
    }

    /// <summary>The root over <paramref name="leaves"/> in order; equals <see cref="MerkleTreeBuilder.ComputeRoot"/> after appending them.</summary>
    public static Hash256 ComputeRoot(ReadOnlySpan<Hash256> leaves)
    {
        var builder = new MerkleTreeBuilder();
        foreach (var leaf in leaves)
        {
            builder.Append(leaf);
        }

        return builder.ComputeRoot();
    }

    /// <summary>
    /// The RFC 6962 audit path of leaf <paramref name="index"/>: sibling subtree hashes from the leaf's level up to the
    /// root's children. Throws <see cref="ArgumentOutOfRangeException"/> unless 0 &lt;= index &lt; leaves.Length.
    /// </summary>
    public static MerkleProof GetInclusionProof(ReadOnlySpan<Hash256> leaves, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, leaves.Length);

        // Walk down from the root, collecting the sibling of each subtree that holds the leaf; the path lists them upwards.
        var siblings = new List<Hash256>();
        var subtree = leaves;
        var position = index;
        while (subtree.Length > 1)
        {
            var split = LargestPowerOfTwoBelow(subtree.Length);
            if (position < split)
            {
                siblings.Add(ComputeRoot(subtree[split..]));
                subtree = subtree[..split];
            }
            else
            {
                siblings.Add(ComputeRoot(subtree[..split]));
                subtree = subtree[split..];
                position -= split;
            }
        }

        siblings.Reverse();
        return new MerkleProof(index, leaves.Length, siblings);
    }

    internal static int LargestPowerOfTwoBelow(int n) => 1 << BitOperations.Log2((uint)(n - 1));

    private static Hash256 Digest(ReadOnlySpan<byte> input)
    {
        Span<byte> digest = stackalloc byte[Hash256.Length];
        SHA256.HashData(input, digest);
        return Hash256.FromBytes(digest);
    }
}
