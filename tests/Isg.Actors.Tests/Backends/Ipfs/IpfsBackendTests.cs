using System.Net;
using System.Text;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Ipfs;
using Isg.Actors.Tests.Backends.TestServers;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Tests.Backends.Ipfs;

/// <summary>The backend contract against a real js-ipfs daemon on loopback, plus CID checks and error mapping.</summary>
public sealed class IpfsBackendTests(JsIpfsDaemon daemon) : BackendConformanceTests, IClassFixture<JsIpfsDaemon>, IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(Open());

    [NpmFact(JsIpfsDaemon.Tool)]
    public async Task PutAsync_ObjectLargerThanABlock_StoresPinnedRawBlocksNamedByTheirCids()
    {
        using var backend = Open();
        var data = RandomBytes((3 * IpfsBackendOptions.DefaultPartSize) + 5, 7);
        var name = NewName();

        await backend.PutAsync(name, data, CancellationToken.None);

        Assert.True(backend.Index.TryGet(name, out var entry));
        Assert.Equal(4, entry.Parts.Count);
        Assert.Equal(data.Length, entry.Length);
        using var http = new HttpClient();
        for (var i = 0; i < entry.Parts.Count; i++)
        {
            var part = data.AsSpan(i * IpfsBackendOptions.DefaultPartSize, Math.Min(IpfsBackendOptions.DefaultPartSize, data.Length - (i * IpfsBackendOptions.DefaultPartSize)));
            Assert.Equal(Cid.OfRaw(part).ToString(), entry.Parts[i]);
            Assert.Equal(part.ToArray(), await RpcBytesAsync(http, "block/get?arg=" + entry.Parts[i]));
            // pin/ls fails for a CID that is not pinned (js-ipfs names pins in base58btc, so the reply's text is not compared).
            Assert.Contains("\"Keys\"", await RpcTextAsync(http, "pin/ls?arg=" + entry.Parts[i]), StringComparison.Ordinal);
        }
    }

    [NpmFact(JsIpfsDaemon.Tool)]
    public async Task DeleteAsync_StoredObject_UnpinsAndRemovesItsBlocks()
    {
        using var backend = Open();
        var name = NewName();
        var data = RandomBytes(5000, 8);
        await backend.PutAsync(name, data, CancellationToken.None);
        var cid = Cid.OfRaw(data).ToString();

        await backend.DeleteAsync(name, CancellationToken.None);

        using var http = new HttpClient();
        var response = await http.PostAsync(new Uri(daemon.ApiAddress, "api/v0/block/stat?timeout=1s&arg=" + cid), null);
        Assert.False(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Empty(backend.Index.All());
    }

    [NpmFact(JsIpfsDaemon.Tool)]
    public async Task GetAsync_DaemonReturnsOtherBytes_ThrowsPermanent()
    {
        var corrupt = false;
        using var backend = Open(handler: RewritingHandler.Proxy(async (request, response) =>
        {
            if (corrupt && request.RequestUri!.AbsolutePath.EndsWith("/block/get", StringComparison.Ordinal))
            {
                var bytes = await response.Content.ReadAsByteArrayAsync();
                bytes[bytes.Length / 2] ^= 0x40;
                response.Content = new ByteArrayContent(bytes);
            }

            return response;
        }));
        var name = NewName();
        await backend.PutAsync(name, RandomBytes(10_000, 9), CancellationToken.None);
        corrupt = true;

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync(name, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains("whose sha2-256 is", error.Message, StringComparison.Ordinal);
    }

    [NpmFact(JsIpfsDaemon.Tool)]
    public async Task PutAsync_PartOverTheDaemonsRequestLimit_ThrowsPermanent()
    {
        // js-ipfs caps the whole multipart request at 1 MiB, so a full 1 MiB block does not fit: a 413 with code 1.
        using var backend = Open(partSize: IpfsBackendOptions.MaxBlockSize);

        var error = await Assert.ThrowsAsync<BackendException>(
            () => backend.PutAsync(NewName(), RandomBytes(IpfsBackendOptions.MaxBlockSize, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains("413", error.Message, StringComparison.Ordinal);
        Assert.Empty(backend.Index.All());
    }

    [Fact]
    public async Task PutAsync_DaemonAnswersAnotherCid_ThrowsPermanentAndRecordsNothing()
    {
        var wrong = Cid.OfRaw(Encoding.ASCII.GetBytes("something else")).ToString();
        using var backend = Open(new Uri("http://127.0.0.1:9/"), new RewritingHandler((request, _) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent($$"""{"Key":"{{wrong}}","Size":5}""") })));
        var name = NewName();

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, RandomBytes(5, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains(wrong, error.Message, StringComparison.Ordinal);
        Assert.Empty(backend.Index.All());
    }

    [Fact]
    public async Task PutAsync_DaemonAnswersACidV0_ThrowsPermanent()
    {
        using var backend = Open(new Uri("http://127.0.0.1:9/"), new RewritingHandler((request, _) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"Key":"QmaozNR7DZHQK1ZcU9p7QdrshMvXqWK6gpu5rmrkPdT3L4","Size":11}"""),
            })));

        var error = await Assert.ThrowsAsync<BackendException>(
            () => backend.PutAsync(NewName(), Encoding.ASCII.GetBytes("hello world"), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
    }

    [Fact]
    public async Task Operations_NothingListening_ThrowTransient()
    {
        using var backend = Open(new Uri($"http://127.0.0.1:{NpmTools.FreePort()}/"));
        var name = NewName();

        var put = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(name, RandomBytes(10, 1), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, put.Kind);
        Assert.Equal(BackendFailureKind.Transient, backend.Classify(put.InnerException!));
        Assert.Empty(backend.Index.All());
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, """{"Message":"blockstore: busy","Code":0,"Type":"error"}""", BackendFailureKind.Transient)]
    [InlineData(HttpStatusCode.InternalServerError, """{"Message":"block was not found locally (offline)","Code":0,"Type":"error"}""", BackendFailureKind.NotFound)]
    [InlineData(HttpStatusCode.BadRequest, """{"Message":"Invalid request query input","Code":1,"Type":"error"}""", BackendFailureKind.Permanent)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, """{"Message":"Payload content length greater than maximum allowed","Code":1,"Type":"error"}""", BackendFailureKind.Permanent)]
    [InlineData(HttpStatusCode.Forbidden, """{"Message":"forbidden","Code":6,"Type":"error"}""", BackendFailureKind.Unauthorized)]
    [InlineData(HttpStatusCode.Unauthorized, "<html>auth proxy</html>", BackendFailureKind.Unauthorized)]
    [InlineData(HttpStatusCode.TooManyRequests, """{"Message":"slow down","Code":5,"Type":"error"}""", BackendFailureKind.Transient)]
    [InlineData(HttpStatusCode.BadGateway, "<html>bad gateway</html>", BackendFailureKind.Transient)]
    public async Task PutAsync_RpcError_IsClassified(HttpStatusCode status, string body, BackendFailureKind expected)
    {
        using var backend = Open(new Uri("http://127.0.0.1:9/"), new RewritingHandler((request, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return Task.FromResult(response);
        }));

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.PutAsync(NewName(), RandomBytes(10, 1), CancellationToken.None));

        Assert.Equal(expected, error.Kind);
        Assert.Equal(expected, backend.Classify(error));
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    private IpfsBackend Open(Uri? api = null, HttpMessageHandler? handler = null, int partSize = IpfsBackendOptions.DefaultPartSize)
    {
        if (api is null && daemon.ApiAddress is null)
        {
            throw new InvalidOperationException(NpmTools.SkipReason(JsIpfsDaemon.Tool) ?? "the js-ipfs daemon did not start:\n" + daemon.Output);
        }

        return new IpfsBackend(
            new IpfsBackendOptions(api ?? daemon.ApiAddress, _state.Path) { Name = "ipfs-test", PartSize = partSize, RequestTimeout = TimeSpan.FromSeconds(20) },
            handler: handler);
    }

    private async Task<byte[]> RpcBytesAsync(HttpClient http, string command)
    {
        using var response = await http.PostAsync(new Uri(daemon.ApiAddress, "api/v0/" + command), null);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<string> RpcTextAsync(HttpClient http, string command) => Encoding.UTF8.GetString(await RpcBytesAsync(http, command));
}
