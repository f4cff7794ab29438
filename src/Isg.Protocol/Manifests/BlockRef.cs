using Isg.Protocol.Hashing;

namespace Isg.Protocol.Manifests;

/// <summary>One block of a file's content: its id and plaintext length in bytes (positive in a valid manifest).</summary>
public readonly record struct BlockRef(BlockId Id, int Length);
