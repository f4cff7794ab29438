using Google.Protobuf;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers.Wire;
using Isg.Protocol.Sealing;

namespace Isg.Actors.Swarm;

/// <summary>A block a node holds, as told to peers in a <see cref="HaveBlocks"/> frame: its id and plaintext size.</summary>
public readonly record struct BlockAnnouncement(BlockId Id, int PlainSize)
{
    /// <summary>Most blocks in one frame (a frame of this many ids is about 150 KB).</summary>
    public const int MaxPerFrame = 4096;

    /// <summary>The frame that announces <paramref name="blocks"/> (at most <see cref="MaxPerFrame"/>).</summary>
    public static PeerFrame ToFrame(IReadOnlyCollection<BlockAnnouncement> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blocks.Count, MaxPerFrame);
        var have = new HaveBlocks();
        foreach (var block in blocks)
        {
            have.BlockIds.Add(ByteString.CopyFrom(block.Id.ToArray()));
            have.PlainSizes.Add((uint)block.PlainSize);
        }

        return new PeerFrame { HaveBlocks = have };
    }

    /// <summary>
    /// The blocks a peer's frame announces, or an error saying what is wrong with it (an id that is not 32 bytes, sizes
    /// that do not pair with the ids, a size beyond any block, too many blocks). A full refresh is not an announcement
    /// of new blocks and reads as none.
    /// </summary>
    public static bool TryRead(HaveBlocks have, out IReadOnlyList<BlockAnnouncement> blocks, out string? error)
    {
        ArgumentNullException.ThrowIfNull(have);
        blocks = [];
        error = null;
        if (have.FullRefresh)
        {
            return true;
        }

        if (have.BlockIds.Count > MaxPerFrame || have.PlainSizes.Count != have.BlockIds.Count)
        {
            error = $"{have.BlockIds.Count} ids with {have.PlainSizes.Count} sizes";
            return false;
        }

        var read = new List<BlockAnnouncement>(have.BlockIds.Count);
        for (var i = 0; i < have.BlockIds.Count; i++)
        {
            if (have.BlockIds[i].Length != Hash256.Length || have.PlainSizes[i] > EnvelopeHeader.MaxPlaintextLength)
            {
                error = $"block {i}: id of {have.BlockIds[i].Length} bytes, size {have.PlainSizes[i]}";
                return false;
            }

            read.Add(new BlockAnnouncement(BlockId.FromBytes(have.BlockIds[i].Span), (int)have.PlainSizes[i]));
        }

        blocks = read;
        return true;
    }
}
