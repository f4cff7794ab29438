using Isg.Actors.Backends;
using Isg.Actors.Encoders;
using Isg.Actors.Repositories;
using Isg.Actors.Runtime;
using Isg.Actors.Transfers;
using Isg.Protocol.Hashing;
using Isg.TestKit;

namespace Isg.Actors.Tests.Encoders;

public sealed class EncoderActorTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();
    private readonly Repository _repository;
    private readonly ActorSystem _system = new("test");
    private readonly IActorRef<IEncoderCommand> _encoder;
    private readonly TestProbe<ChunkEncoded> _encoded = new("encoded");
    private readonly TestProbe<BlockDecoded> _decoded = new("decoded");
    private readonly Isg.Actors.Striping.StripeAssembler _stripes;

    public EncoderActorTests()
    {
        _repository = TestRepository.Create(_dir);
        _stripes = new Isg.Actors.Striping.StripeAssembler(Isg.Actors.Striping.RedundancyPolicy.None, _repository.Backends, _repository.Key);
        _encoder = _system.Spawn<IEncoderCommand>("encoder", () => new EncoderActor(_repository));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _system.ShutdownAsync();
        _stripes.Dispose();
        _repository.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task EncodeChunk_NewChunk_RepliesTheStoredBlockAndReleasesTheChunk()
    {
        var data = TestFiles.Random(5000, seed: 1);
        var chunk = PooledBuffer.CopyOf(data);

        _encoder.Tell(new EncodeChunk(3, 7, chunk, new DedupIndex(), _stripes, _encoded));
        var reply = await _encoded.ExpectMessageAsync(Within);

        Assert.Equal((3, 7, 5000), (reply.File, reply.Seq, reply.Length));
        Assert.Null(reply.Failure);
        Assert.Equal(BlockId.Compute(data), reply.Block!.Value.Id);
        Assert.True(await _repository.Backends.Primary.ExistsAsync(reply.Block.Value.NewBlock!.ObjectName, CancellationToken.None));

        // The chunk is released right after the reply: once the next message is answered, it is.
        _encoder.Tell(new DecodeBlock(0, reply.Block.Value.Id, _decoded));
        (await _decoded.ExpectMessageAsync(Within)).Plaintext?.Dispose();
        Assert.Throws<ObjectDisposedException>(() => chunk.Memory);
    }

    [Fact]
    public async Task EncodeChunk_StoredCallback_CalledOncePerStoredBlockNotForADuplicate()
    {
        var stored = new List<Isg.Actors.Catalog.StoredBlock>();
        var encoder = _system.Spawn<IEncoderCommand>("reporting", () => new EncoderActor(_repository, stored: stored.Add));
        var data = TestFiles.Random(5000, seed: 4);
        var session = new DedupIndex();

        encoder.Tell(new EncodeChunk(0, 0, PooledBuffer.CopyOf(data), session, _stripes, _encoded));
        var first = await _encoded.ExpectMessageAsync(Within);
        encoder.Tell(new EncodeChunk(0, 1, PooledBuffer.CopyOf(data), session, _stripes, _encoded));
        var again = await _encoded.ExpectMessageAsync(Within);

        Assert.Null(again.Block!.Value.NewBlock);
        var block = Assert.Single(stored);
        Assert.Equal(first.Block!.Value.NewBlock, block);
        Assert.Equal((BlockId.Compute(data), 5000), (block.Id, block.PlainSize));
    }

    [Fact]
    public async Task EncodeChunk_StoreFails_RepliesTheFailureReleasesTheChunkAndKeepsWorking()
    {
        var failedOnce = false;
        var data = TestFiles.Random(5000, seed: 2);
        var name = _repository.Key.ObjectName(BlockId.Compute(data));
        // The store fails this object's put (an I/O error), and only this one.
        Tests.Backends.StoredObjects.Local(_repository.Backends.Primary).AfterWrite = path =>
        {
            if (path.EndsWith("objects.db", StringComparison.Ordinal) && !failedOnce)
            {
                failedOnce = true;
                throw new IOException("injected: " + name);
            }
        };
        var chunk = PooledBuffer.CopyOf(data);

        _encoder.Tell(new EncodeChunk(0, 0, chunk, new DedupIndex(), _stripes, _encoded));
        var failed = await _encoded.ExpectMessageAsync(Within);
        _encoder.Tell(new EncodeChunk(0, 1, PooledBuffer.CopyOf(TestFiles.Random(5000, seed: 3)), new DedupIndex(), _stripes, _encoded));
        var next = await _encoded.ExpectMessageAsync(Within);

        Assert.Null(failed.Block);
        Assert.IsType<BackendException>(failed.Failure);
        Assert.Throws<ObjectDisposedException>(() => chunk.Memory);
        Assert.Null(next.Failure);
    }

    [Fact]
    public async Task DecodeBlock_StoredBlock_RepliesThePlaintext()
    {
        var data = TestFiles.Text(50_000, seed: 4);
        _encoder.Tell(new EncodeChunk(0, 0, PooledBuffer.CopyOf(data), new DedupIndex(), _stripes, _encoded));
        var stored = (await _encoded.ExpectMessageAsync(Within)).Block!.Value.NewBlock!;
        using (var writer = _repository.Catalog.CreateWriter())
        {
            // Decoding finds a block's locations in the catalogue.
            writer.Commit([], [stored]);
        }

        _encoder.Tell(new DecodeBlock(42, stored.Id, _decoded));
        var reply = await _decoded.ExpectMessageAsync(Within);

        Assert.Equal(42, reply.Seq);
        Assert.Null(reply.Failure);
        using var plaintext = reply.Plaintext!;
        Assert.Equal(data, plaintext.Memory.ToArray());
    }

    [Fact]
    public async Task DecodeBlock_MissingBlock_RepliesDataIntegrityFailure()
    {
        var id = BlockId.Compute("absent"u8);

        _encoder.Tell(new DecodeBlock(1, id, _decoded));
        var reply = await _decoded.ExpectMessageAsync(Within);

        Assert.Null(reply.Plaintext);
        Assert.IsType<DataIntegrityException>(reply.Failure);
        Assert.Equal(id, reply.Id);
    }
}
