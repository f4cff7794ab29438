using Isg.Actors.Backends;
using Isg.Actors.Backends.S3;
using Isg.Actors.Backends.Secrets;
using Isg.Actors.Catalog;
using Isg.Actors.GarbageCollection;
using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Actors.Tests.Backends.S3;
using Isg.Actors.Tests.Backends.TestServers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.GarbageCollection;

/// <summary>
/// Orphans on a platform that lists (S3, against s3rver): an object whose upload completed but whose catalogue commit
/// never came (a crash) is swept by gc, through the node's real backend stack (upload queue, decorators), once it is
/// older than the grace period; a younger one is kept, since its upload may be about to be recorded.
/// </summary>
public sealed class PlatformOrphanTests(S3rverServer s3) : IClassFixture<S3rverServer>, IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly string _prefix = "gc-" + Guid.NewGuid().ToString("N")[..8] + "/";
    private StorageNode? _node;

    public Task InitializeAsync()
    {
        if (NpmTools.SkipReason(S3rverServer.Tool) is not null)
        {
            return Task.CompletedTask;
        }

        using (var repository = TestRepository.Create(_dir))
        {
            repository.Settings.Set(RepositorySettings.RedundancyKey, "none");
            var record = new BackendRecord("bucket", BackendFactory.S3Type, BackendFactory.S3Settings(s3.ServiceUrl, S3rverServer.Bucket, prefix: _prefix), DateTimeOffset.UtcNow)
            {
                Secrets = new Dictionary<string, string> { ["accessKey"] = S3rverServer.Credential, ["secretKey"] = S3rverServer.Credential },
            };
            using var writer = repository.Catalog.CreateWriter();
            writer.AddBackend(record, BackendSecrets.Seal(repository.Key, record.Name, record.Secrets));
        }

        _node = StorageNode.Start(Repository.Open(_dir.Combine("repo"), TestRepository.Passphrase, NullLoggerFactory.Instance),
            NullLoggerFactory.Instance, new StorageNodeOptions(Workers: 2));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        _dir.Dispose();
    }

    [NpmFact(S3rverServer.Tool)]
    public async Task Collect_UploadCompletedButNeverRecorded_KeptWithinTheGraceThenSwept()
    {
        var node = _node!;
        TestFiles.Write(_dir.Combine("src", "kept"), TestFiles.Random(60_000, seed: 11));
        await node.AddAsync([new IngestSource(_dir.Combine("src", "kept"), "src/kept")], new IngestOptions(Reread: true), null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));
        var bucket = node.Repository.Backends.Get("bucket");
        var known = await NamesAsync(bucket);

        // What a crash between an upload and its catalogue commit leaves: an object on the platform nothing names.
        var orphan = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("orphan"u8));
        using (var direct = new S3Backend(new S3BackendOptions(s3.ServiceUrl, S3rverServer.Bucket)
        {
            Name = "bucket", Prefix = _prefix, AccessKey = S3rverServer.Credential, SecretKey = S3rverServer.Credential,
        }))
        {
            await direct.PutAsync(orphan, TestFiles.Random(5_000, seed: 12), CancellationToken.None);
        }

        var young = await node.CollectGarbageAsync(new GcOptions(Wait: TimeSpan.Zero), null, CancellationToken.None);

        Assert.Equal(1, young.Backends.Single(b => b.Backend == "bucket").OrphansDeferred);
        Assert.Equal(0, young.OrphansDeleted);
        Assert.Contains(orphan, await NamesAsync(bucket));

        var swept = await node.CollectGarbageAsync(new GcOptions(Wait: TimeSpan.Zero) { OrphanGrace = TimeSpan.Zero }, null, CancellationToken.None);

        Assert.Equal(1, swept.Backends.Single(b => b.Backend == "bucket").OrphansDeleted);
        Assert.Equal(0, swept.OrphansDeferred);
        Assert.Equal(known, await NamesAsync(bucket));
        Assert.DoesNotContain(orphan, known);
    }

    private static async Task<HashSet<string>> NamesAsync(IStorageBackend backend)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var name in backend.ListAsync(CancellationToken.None))
        {
            names.Add(name);
        }

        return names;
    }
}
