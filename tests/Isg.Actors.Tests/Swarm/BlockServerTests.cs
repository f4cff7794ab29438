using Google.Protobuf;
using Isg.Actors.Backends.Local;
using Isg.Actors.Repositories;
using Isg.Actors.Storage;
using Isg.Actors.Swarm;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers.Wire;
using Isg.Protocol.Sealing;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Swarm;

/// <summary>What a peer gets from <see cref="BlockServer"/>: sealed blocks in parts, and typed refusals.</summary>
public sealed class BlockServerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Repository _repository;
    private readonly BlockServer _server;

    public BlockServerTests()
    {
        _repository = TestRepository.Create(_dir);
        _server = new BlockServer(_repository, NullLogger.Instance);
    }

    public void Dispose()
    {
        _server.Dispose();
        _repository.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task AnswerAsync_BlockOnThePrimaryNotYetInTheCatalogue_ServedInPartsExactlyAsStored()
    {
        // Written but not committed, as during an add that peers follow: served from the primary by its usual name.
        var (id, stored) = await StoreSealedAsync(SampleData.RandomBytes(10_000, seed: 3));

        var parts = new List<byte>();
        while (parts.Count < stored.Length)
        {
            var answer = await AskAsync(id, (ulong)parts.Count, maxLength: 4096);
            Assert.Equal(PeerFrame.BodyOneofCase.BlockResponse, answer.BodyCase);
            Assert.Equal((ulong)stored.Length, answer.BlockResponse.TotalLength);
            Assert.Equal((ulong)parts.Count, answer.BlockResponse.Offset);
            using var trailer = answer.BlockResponse.Trailer;
            Assert.True(answer.BlockResponse.Sealed.IsEmpty, "the part is a trailer, not inside the message");
            Assert.InRange(answer.BlockResponse.PartBytes.Length, 1, 4096);
            parts.AddRange(answer.BlockResponse.PartBytes.ToArray());
        }

        Assert.Equal(stored, parts.ToArray());
    }

    [Fact]
    public async Task AnswerAsync_PartOfABlockNoLongerKept_StaysIntactUntilItsAnswerIsDone()
    {
        // The server keeps one block; a part already answered leases the buffer it was read into, so moving on to
        // other blocks (whose reads may reuse pooled buffers) cannot change it before it is written.
        var (first, firstStored) = await StoreSealedAsync(SampleData.RandomBytes(300_000, seed: 5));
        var others = new List<BlockId>();
        for (var i = 0; i < 4; i++)
        {
            others.Add((await StoreSealedAsync(SampleData.RandomBytes(300_000, seed: 6 + i))).Id);
        }

        var answer = await AskAsync(first, 0, 0);
        using var trailer = answer.BlockResponse.Trailer;
        foreach (var other in others)
        {
            (await AskAsync(other, 0, 0)).BlockResponse.Trailer?.Dispose();
        }

        Assert.NotNull(trailer);
        Assert.Equal(firstStored, trailer.Memory.ToArray());
    }

    [Fact]
    public async Task AnswerAsync_BlockKeptInRecentBlocks_ServedFromMemoryWithoutTheBackend()
    {
        // Not on any backend: only the kept copy can answer, and it still answers after the kept copy is dropped from
        // the cache, for as long as the answer's part is being written.
        using var recent = new RecentBlocks(1 << 20);
        using var server = new BlockServer(_repository, NullLogger.Instance, recent);
        var plaintext = SampleData.RandomBytes(50_000, seed: 11);
        var id = BlockId.Compute(plaintext);
        using var sealer = new BlockSealer(_repository.Key, SealOptions.Default);
        var buffer = AlignedBuffer.Rent(BlockSealer.MaxSealedLength(plaintext.Length));
        var length = sealer.Seal(id, plaintext, buffer.Memory.Span);
        var stored = buffer.Memory[..length].ToArray();
        recent.Keep(id, buffer, length);

        var answer = (await server.AnswerAsync(new PeerFrame
        {
            BlockRequest = new BlockRequest { BlockId = ByteString.CopyFrom(id.ToArray()) },
        }, CancellationToken.None))!;
        recent.Dispose();

        Assert.Equal(PeerFrame.BodyOneofCase.BlockResponse, answer.BodyCase);
        Assert.Equal((ulong)length, answer.BlockResponse.TotalLength);
        using var trailer = answer.BlockResponse.Trailer;
        Assert.Equal(stored, answer.BlockResponse.PartBytes.ToArray());
        Assert.Equal(ErrorCode.NotFound, (await AskAsync(id, 0, 0)).Error.Code); // the server without the cache: not stored
    }

    [Fact]
    public async Task AnswerAsync_LargeBlockOnAStoreThatBypassesThePageCache_ReadThroughTheCacheForTheNextPeer()
    {
        var primary = Assert.IsType<LocalBlockStore>(_repository.Backends.Primary);
        Assert.True(primary.TryUseDirectIo());
        var (id, stored) = await StoreSealedAsync(SampleData.RandomBytes(1 << 20, seed: 11));
        var where = primary.Locate(_repository.Key.ObjectName(id))!;
        Assert.Equal(0, PageCache.ResidentPages(where.Path, where.Offset, where.Length));

        var answer = await AskAsync(id, 0, 0);

        using (var trailer = answer.BlockResponse.Trailer)
        {
            Assert.Equal(stored, answer.BlockResponse.PartBytes.ToArray());
        }

        Assert.Equal(PageCache.PagesOf(where.Length), PageCache.ResidentPages(where.Path, where.Offset, where.Length));
    }

    [Fact]
    public async Task AnswerAsync_UnknownBlock_NotFound()
    {
        var answer = await AskAsync(BlockId.Compute([1, 2, 3]), 0, 0);

        Assert.Equal(ErrorCode.NotFound, answer.Error.Code);
    }

    [Fact]
    public async Task AnswerAsync_OffsetBeyondTheBlockOrShortId_BadRequest()
    {
        var (id, stored) = await StoreSealedAsync(SampleData.RandomBytes(2_000, seed: 4));

        var beyond = await AskAsync(id, (ulong)stored.Length + 1, 0);
        var shortId = await _server.AnswerAsync(new PeerFrame { BlockRequest = new BlockRequest { BlockId = ByteString.CopyFrom(1, 2) } }, CancellationToken.None);

        Assert.Equal(ErrorCode.BadRequest, beyond.Error.Code);
        Assert.Equal(ErrorCode.BadRequest, shortId!.Error.Code);
    }

    private async Task<(BlockId Id, byte[] Stored)> StoreSealedAsync(byte[] plaintext)
    {
        var id = BlockId.Compute(plaintext);
        var sealedBlock = new byte[BlockSealer.MaxSealedLength(plaintext.Length)];
        using var sealer = new BlockSealer(_repository.Key, SealOptions.Default);
        var length = sealer.Seal(id, plaintext, sealedBlock);
        var stored = sealedBlock[..length];
        await _repository.Backends.Primary.PutAsync(_repository.Key.ObjectName(id), stored, CancellationToken.None);
        return (id, stored);
    }

    private async Task<PeerFrame> AskAsync(BlockId id, ulong offset, uint maxLength) =>
        (await _server.AnswerAsync(new PeerFrame
        {
            BlockRequest = new BlockRequest { BlockId = ByteString.CopyFrom(id.ToArray()), Offset = offset, MaxLength = maxLength },
        }, CancellationToken.None))!;
}
