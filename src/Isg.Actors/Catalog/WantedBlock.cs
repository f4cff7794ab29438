using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>A block an entry needs that is stored nowhere here yet; <paramref name="PlainSize"/> in bytes.</summary>
public readonly record struct WantedBlock(BlockId Id, int PlainSize);
