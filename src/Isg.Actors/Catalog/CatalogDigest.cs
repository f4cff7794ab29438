using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>The Merkle root of a range of catalogue entries and how many entries it covers.</summary>
public readonly record struct CatalogDigest(Hash256 Root, long Count);
