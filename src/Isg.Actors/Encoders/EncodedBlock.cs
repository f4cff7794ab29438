using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Encoders;

/// <summary>
/// The outcome of encoding one chunk: its id and length, and <see cref="NewBlock"/> when this call stored it
/// (null when an identical block was already stored: deduplicated), and <see cref="Stripe"/> when storing it
/// completed a stripe (its parity is stored): the job commits it with or after its data blocks.
/// </summary>
public readonly record struct EncodedBlock(BlockId Id, int Length, StoredBlock? NewBlock, SealedStripe? Stripe = null);
