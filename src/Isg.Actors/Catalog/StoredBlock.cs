using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>
/// A block and one place it is stored: <paramref name="ObjectName"/> on <paramref name="Backend"/>. Sizes are
/// in bytes (plaintext and sealed); <paramref name="Compression"/> is the sealed envelope's compression id.
/// </summary>
public sealed record StoredBlock(BlockId Id, int PlainSize, int StoredSize, int Compression, string Backend, string ObjectName);
