using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Encoders;

/// <summary>
/// The outcome of encoding one chunk: its id and length, and <see cref="NewBlock"/> when this call stored it
/// (null when an identical block was already stored: deduplicated).
/// </summary>
public readonly record struct EncodedBlock(BlockId Id, int Length, StoredBlock? NewBlock);
