using Isg.Protocol.Hashing;

namespace Isg.Protocol.Merkle;

/// <summary>
/// Builds a <see cref="MerkleTree"/> root one leaf at a time in O(log n) memory: it keeps the root of each complete
/// power-of-two subtree, one per set bit of <see cref="Count"/>. Not thread-safe.
/// </summary>
public sealed class MerkleTreeBuilder
{
    // Count is an int, so at most 31 complete subtrees are held (plus one while merging).
    private readonly Hash256[] _subtrees = new Hash256[32];
    private int _depth;

    /// <summary>Leaves appended so far.</summary>
    public int Count { get; private set; }

    /// <summary>Appends the next leaf (hashed with the 0x00 leaf prefix). Amortised O(1) hashes.</summary>
    public void Append(Hash256 leaf) => AppendHashedLeaf(MerkleTree.HashLeaf(leaf));

    /// <summary>
    /// Appends the next leaf given as its node hash, <see cref="MerkleTree.HashLeaf"/> of the leaf: for callers that
    /// keep leaves hashed, so that a tree over them costs one hash per leaf instead of two.
    /// </summary>
    public void AppendHashedLeaf(Hash256 hashedLeaf)
    {
        if (Count == int.MaxValue)
        {
            throw new InvalidOperationException($"a Merkle tree holds at most {int.MaxValue} leaves");
        }

        var hash = hashedLeaf;
        // Each trailing one bit of Count is a complete subtree of the same size as the one just finished: merge them.
        for (var n = Count; (n & 1) == 1; n >>= 1)
        {
            hash = MerkleTree.HashNode(_subtrees[--_depth], hash);
        }

        _subtrees[_depth++] = hash;
        Count++;
    }

    /// <summary>The root over the leaves appended so far (SHA-256 of the empty string for none). Does not change the builder.</summary>
    public Hash256 ComputeRoot()
    {
        if (_depth == 0)
        {
            return MerkleTree.EmptyRoot;
        }

        // Fold from the smallest subtree: in the RFC 6962 shape each larger subtree is the left child of the rest.
        var root = _subtrees[_depth - 1];
        for (var i = _depth - 2; i >= 0; i--)
        {
            root = MerkleTree.HashNode(_subtrees[i], root);
        }

        return root;
    }

    /// <summary>Forgets every leaf, so the builder can be reused.</summary>
    public void Clear()
    {
        Array.Clear(_subtrees);
        _depth = 0;
        Count = 0;
    }
}
