using Isg.Protocol.Hashing;

namespace Isg.Protocol.Merkle;

/// <summary>
/// An RFC 6962 inclusion proof: leaf <see cref="Index"/> of a tree of <see cref="Count"/> leaves, with the sibling
/// hashes on its way to the root (<see cref="Path"/>, lowest first). Accepts any values, since proofs may come from
/// peers: <see cref="Verify"/> rejects inconsistent ones. Immutable.
/// </summary>
public sealed class MerkleProof
{
    private readonly Hash256[] _path;

    /// <summary>Wraps a proof; <paramref name="path"/> is copied.</summary>
    public MerkleProof(int index, int count, IReadOnlyList<Hash256> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Index = index;
        Count = count;
        _path = [.. path];
        Path = Array.AsReadOnly(_path);
    }

    /// <summary>Zero-based position of the proven leaf.</summary>
    public int Index { get; }

    /// <summary>Number of leaves in the tree.</summary>
    public int Count { get; }

    /// <summary>Sibling subtree hashes from the leaf's level upwards.</summary>
    public IReadOnlyList<Hash256> Path { get; }

    /// <summary>
    /// True when <paramref name="leaf"/> (unhashed, as given to <see cref="MerkleTree.ComputeRoot"/>) at <see cref="Index"/>
    /// of <see cref="Count"/> leaves, combined with <see cref="Path"/>, gives <paramref name="root"/>. False for an index
    /// outside the tree or a path of the wrong length; never throws. As in RFC 6962 the root does not pin
    /// <see cref="Count"/> by itself (the first leaf of 3 has the same path under a claimed count of 4): take the count
    /// from a trusted source such as the manifest.
    /// </summary>
    public bool Verify(Hash256 leaf, Hash256 root)
    {
        if (Index < 0 || Index >= Count)
        {
            return false;
        }

        // RFC 9162 §2.1.3.2: fn walks the leaf's position up the tree, sn the last position at the same level.
        var fn = (uint)Index;
        var sn = (uint)(Count - 1);
        var hash = MerkleTree.HashLeaf(leaf);
        foreach (var sibling in _path)
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                hash = MerkleTree.HashNode(sibling, hash);
                // A last node with no right sibling is promoted unchanged through the levels where it stays last.
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                hash = MerkleTree.HashNode(hash, sibling);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && hash == root;
    }
}
