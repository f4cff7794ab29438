using Isg.Actors.Backends;
using Isg.Actors.Runtime;
using Isg.Actors.Striping;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Encoders;

/// <summary>Messages of an encoder worker (/node/encoders/$n).</summary>
public interface IEncoderCommand;

/// <summary>
/// Hash, deduplicate, seal and store one chunk (new blocks go where <see cref="Stripes"/> places them). The worker
/// owns <see cref="Chunk"/> from now on and disposes it. Replies <see cref="ChunkEncoded"/> with the same
/// <see cref="File"/> and <see cref="Seq"/>.
/// </summary>
public sealed record EncodeChunk(int File, int Seq, PooledBuffer Chunk, DedupIndex Session, StripeAssembler Stripes, IReplyTo<ChunkEncoded> ReplyTo) : IEncoderCommand;

/// <summary>The outcome of <see cref="EncodeChunk"/>: a block, or the failure that kept it from being stored.</summary>
public sealed record ChunkEncoded(int File, int Seq, int Length, EncodedBlock? Block, Exception? Failure);

/// <summary>
/// Fetch, open and verify one block from any location the catalogue records (rebuilding it from its stripe when
/// every copy is missing or damaged). Replies <see cref="BlockDecoded"/> with the same <see cref="Seq"/>.
/// </summary>
public sealed record DecodeBlock(long Seq, BlockId Id, IReplyTo<BlockDecoded> ReplyTo) : IEncoderCommand;

/// <summary>The plaintext of a verified block (the receiver disposes it), or why it could not be had.</summary>
public sealed record BlockDecoded(long Seq, BlockId Id, PooledBuffer? Plaintext, Exception? Failure);
