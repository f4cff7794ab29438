using Google.Protobuf;
using Isg.Actors.Repositories;
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
            Assert.InRange(answer.BlockResponse.Sealed.Length, 1, 4096);
            parts.AddRange(answer.BlockResponse.Sealed.ToByteArray());
        }

        Assert.Equal(stored, parts.ToArray());
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
