using System.Buffers;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Sealing;

namespace Isg.Actors.Striping;

/// <summary>
/// What makes a stored shard good, in one place for reads (<see cref="StripeReader"/>) and scrubs: a parity shard is
/// exactly its stripe's shard size and hashes to its id; a data shard is its recorded sealed size and opens (AEAD,
/// then the plaintext hashes to the block id). Each check returns why the bytes are bad, or null when they are good.
/// </summary>
public static class ShardVerification
{
    /// <summary>Why <paramref name="bytes"/> are not parity shard <paramref name="id"/> of <paramref name="expectedLength"/> bytes, or null.</summary>
    public static string? ParityProblem(ReadOnlySpan<byte> bytes, int expectedLength, BlockId id) =>
        bytes.Length != expectedLength ? $"the parity shard is {bytes.Length} bytes, expected {expectedLength}"
        : Hash256.Compute(bytes) != id.Hash ? "the parity shard does not hash to its id"
        : null;

    /// <summary>
    /// Why <paramref name="bytes"/> are not sealed block <paramref name="id"/> of <paramref name="expectedLength"/>
    /// bytes, or null. Length first (cheap, and it names a truncation plainly), then authentication and the hash.
    /// </summary>
    public static string? DataProblem(BlockSealer sealer, BlockId id, ReadOnlySpan<byte> bytes, int expectedLength)
    {
        ArgumentNullException.ThrowIfNull(sealer);
        if (bytes.Length != expectedLength)
        {
            return $"the object is {bytes.Length} bytes, expected {expectedLength}";
        }

        if (!BlockSealer.TryReadPlaintextLength(bytes, out var plainLength, out var error))
        {
            return error.ToString();
        }

        var plaintext = ArrayPool<byte>.Shared.Rent(Math.Max(1, plainLength));
        try
        {
            return sealer.TryOpen(id, bytes, plaintext, out var written, out error) == DecodeStatus.Done && written == plainLength
                ? null
                : error.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }
}
