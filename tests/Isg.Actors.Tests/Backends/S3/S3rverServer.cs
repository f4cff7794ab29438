using Isg.Actors.Tests.Backends.TestServers;

namespace Isg.Actors.Tests.Backends.S3;

/// <summary>
/// An s3rver for one test class: a temp folder, a free 127.0.0.1 port and bucket <see cref="Bucket"/>, ready when it
/// prints that it is listening. Its credentials are s3rver's fixed S3RVER / S3RVER.
/// </summary>
public sealed class S3rverServer : IAsyncLifetime
{
    /// <summary>The npm executable.</summary>
    public const string Tool = "s3rver";

    /// <summary>The bucket created at start.</summary>
    public const string Bucket = "isg-test";

    /// <summary>s3rver's access key and secret.</summary>
    public const string Credential = "S3RVER";

    private readonly TempDirectory _data = new();
    private ServerProcess? _server;

    /// <summary>The endpoint, e.g. http://127.0.0.1:PORT/ (null until started).</summary>
    public Uri ServiceUrl { get; private set; } = null!;

    /// <summary>The server's output so far.</summary>
    public string Output => _server?.Output ?? string.Empty;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        if (NpmTools.SkipReason(Tool) is not null)
        {
            return;
        }

        var port = NpmTools.FreePort();
        _server = ServerProcess.Start(NpmTools.Require(Tool),
            ["-d", _data.Path, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--configure-bucket", Bucket],
            // s3rver makes list continuation tokens with DES, which Node 17+ only has from OpenSSL's legacy provider.
            new Dictionary<string, string> { ["NODE_OPTIONS"] = "--openssl-legacy-provider" });
        await _server.WaitForLineAsync("listening on", TimeSpan.FromSeconds(60));
        ServiceUrl = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        _server?.Dispose();
        _data.Dispose();
        return Task.CompletedTask;
    }
}
