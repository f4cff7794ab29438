using Isg.Actors.Backends;
using Isg.Actors.Backends.S3;
using Isg.Actors.Tests.Backends.TestServers;
using Isg.TestKit;

namespace Isg.Actors.Tests.Backends.S3;

/// <summary>The backend contract against a real s3rver on loopback (each test under its own key prefix), plus multipart and errors.</summary>
public sealed class S3BackendTests(S3rverServer server) : BackendConformanceTests, IClassFixture<S3rverServer>
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12] + "/";

    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(Open());

    // s3rver rewrites an object's file and metadata in place, so a read racing a replacement can get a 500.
    protected override bool ServerReplacesAtomically => false;

    [NpmFact(S3rverServer.Tool)]
    public async Task PutAsync_20MiB_UploadsInPartsAndReadsBackExactly()
    {
        using var logs = new RecordingLoggerFactory();
        using var backend = Open(logger: new Microsoft.Extensions.Logging.Logger<S3Backend>(logs));
        var data = RandomBytes(20 * 1024 * 1024, 20);
        var name = NewName();

        await backend.PutAsync(name, data, CancellationToken.None);

        using var owner = await backend.GetAsync(name, CancellationToken.None);
        Assert.True(owner.Memory.Span.SequenceEqual(data));
        // 8 + 8 + 4 MiB (s3rver gives multipart objects a plain ETag, so the backend's own record is what tells).
        Assert.Contains(logs.Entries, e => e.Message.Contains("in 3 parts", StringComparison.Ordinal));
    }

    [NpmFact(S3rverServer.Tool)]
    public async Task PutAsync_SmallObject_StoredWithoutChunkSignatureFraming()
    {
        using var backend = Open();
        var data = RandomBytes(70_000, 3);
        var name = NewName();

        await backend.PutAsync(name, data, CancellationToken.None);

        // Read it past the SDK: with aws-chunked encoding a simple server would keep the ";chunk-signature=" lines.
        using var http = new HttpClient();
        Assert.Equal(data, await http.GetByteArrayAsync(ObjectUrl(name)));
    }

    [NpmFact(S3rverServer.Tool)]
    public async Task ListAsync_MoreThanOnePage_ListsEveryObjectUnderThePrefixOnly()
    {
        using var backend = Open();
        using var neighbour = Open(prefix: _prefix + "other/");
        var names = Enumerable.Range(0, 1005).Select(_ => NewName()).ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (name, token) => await backend.PutAsync(name, new byte[] { 1 }, token));
        await neighbour.PutAsync(NewName(), new byte[] { 2 }, CancellationToken.None);

        Assert.Equal(names.Order(StringComparer.Ordinal), await ListAsync(backend));
    }

    [NpmFact(S3rverServer.Tool)]
    public async Task Operations_UnknownAccessKey_ThrowUnauthorized()
    {
        // s3rver checks the access key id but not SigV4 signatures, so a wrong secret alone would pass here.
        using var backend = Open(accessKey: "NOT-A-KEY", secret: "not-the-secret");

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), new byte[] { 1 }, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Unauthorized, error.Kind);
        Assert.Equal(BackendFailureKind.Unauthorized, backend.Classify(error.InnerException!));
    }

    [NpmFact(S3rverServer.Tool)]
    public async Task PutAsync_MissingBucket_ThrowsPermanent()
    {
        using var backend = new S3Backend(new S3BackendOptions(server.ServiceUrl, "no-such-bucket")
        {
            AccessKey = S3rverServer.Credential,
            SecretKey = S3rverServer.Credential,
        });

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), new byte[] { 1 }, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
    }

    [Fact]
    public async Task Operations_NothingListening_ThrowTransient()
    {
        using var backend = new S3Backend(new S3BackendOptions(new Uri($"http://127.0.0.1:{NpmTools.FreePort()}/"), "bucket")
        {
            AccessKey = "a",
            SecretKey = "b",
        });

        var put = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), new byte[] { 1 }, CancellationToken.None));
        var get = await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync(NewName(), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, put.Kind);
        Assert.Equal(BackendFailureKind.Transient, get.Kind);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task GetAsync_BodyAgainstItsETag_TransientWhenItDoesNotHashToIt(bool matches, bool multipart)
    {
        // A server that replaced the object while sending it (s3rver), or a body damaged on the way: only the ETag tells.
        var body = RandomBytes(100_000, 7);
        var etag = multipart ? "\"0123456789abcdef0123456789abcdef-3\""
            : "\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(matches ? body : body[1..])) + "\"";
        await using var fake = await Isg.TestKit.Platforms.KestrelFake.StartAsync(async context =>
        {
            context.Response.Headers.ETag = etag;
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        using var backend = new S3Backend(new S3BackendOptions(fake.BaseAddress, "bucket") { AccessKey = "a", SecretKey = "b" });

        if (matches || multipart)
        {
            using var owner = await backend.GetAsync(NewName(), CancellationToken.None);
            Assert.True(owner.Memory.Span.SequenceEqual(body));
        }
        else
        {
            var error = await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync(NewName(), CancellationToken.None));
            Assert.Equal(BackendFailureKind.Transient, error.Kind);
            Assert.Contains("ETag", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ToString_Options_HidesTheSecret()
    {
        var options = new S3BackendOptions(new Uri("http://127.0.0.1:1/"), "b") { AccessKey = "AKIDEXAMPLE", SecretKey = "wJalrXUtnFEMI" };

        Assert.DoesNotContain("wJalrXUtnFEMI", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("AKIDEXAMPLE", options.ToString(), StringComparison.Ordinal);
    }

    private S3Backend Open(string? prefix = null, string accessKey = S3rverServer.Credential, string secret = S3rverServer.Credential, Microsoft.Extensions.Logging.ILogger<S3Backend>? logger = null)
    {
        if (server.ServiceUrl is null)
        {
            throw new InvalidOperationException(NpmTools.SkipReason(S3rverServer.Tool) ?? "s3rver did not start:\n" + server.Output);
        }

        return new S3Backend(new S3BackendOptions(server.ServiceUrl, S3rverServer.Bucket)
        {
            Name = "s3-test",
            Prefix = prefix ?? _prefix,
            AccessKey = accessKey,
            SecretKey = secret,
        }, logger);
    }

    private Uri ObjectUrl(string name) => new(server.ServiceUrl, $"{S3rverServer.Bucket}/{_prefix}{name}");
}
