using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>Block number <paramref name="Seq"/> (from 0) of a file: its id and the byte range it covers.</summary>
public readonly record struct FileBlock(int Seq, BlockId Id, long Offset, int Length);
