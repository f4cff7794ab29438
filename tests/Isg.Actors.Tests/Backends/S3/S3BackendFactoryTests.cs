using Isg.Actors.Backends;
using Isg.Actors.Backends.Ipfs;
using Isg.Actors.Backends.S3;
using Isg.Actors.Catalog;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.S3;

/// <summary>BackendFactory's "ipfs" and "s3" types: settings written by the helpers open the right backend.</summary>
public sealed class S3BackendFactoryTests
{
    [Fact]
    public void Open_S3Record_UsesSettingsAndSecrets()
    {
        var record = new BackendRecord("bucket1", BackendFactory.S3Type,
            BackendFactory.S3Settings(new Uri("http://127.0.0.1:9000"), "isg", "eu-west-1", "node1/"), DateTimeOffset.UtcNow)
        {
            Secrets = new Dictionary<string, string> { ["accessKey"] = "AK", ["secretKey"] = "SK" },
        };

        var options = BackendFactory.S3Options(record);
        var opened = BackendFactory.Open(record, "/tmp/repo", NullLoggerFactory.Instance);
        using var stack = (IDisposable)opened;
        var backend = Assert.IsType<S3Backend>(Isg.Actors.Backends.Resilience.BackendDecorator.Unwrap(opened));

        Assert.Equal(("isg", "eu-west-1", "node1/", "AK", "SK"), (options.Bucket, options.Region, options.Prefix, options.AccessKey, options.SecretKey));
        Assert.Equal("bucket1", backend.Name);
        Assert.Contains(BackendFactory.S3Type, BackendFactory.Types);
    }

    [Fact]
    public void Open_IpfsRecord_KeepsItsIndexInTheStateDirectory()
    {
        using var repo = new TempDirectory();
        var record = new BackendRecord("ipfs1", BackendFactory.IpfsType, BackendFactory.IpfsSettings(new Uri("http://127.0.0.1:5001")), DateTimeOffset.UtcNow);

        var opened = BackendFactory.Open(record, repo.Path, NullLoggerFactory.Instance);
        using var stack = (IDisposable)opened;
        var backend = Assert.IsType<IpfsBackend>(Isg.Actors.Backends.Resilience.BackendDecorator.Unwrap(opened));

        Assert.Equal("ipfs1", backend.Name);
        Assert.Single(Directory.EnumerateFiles(BackendFactory.StateDirectory(repo.Path, "ipfs1"), "*.db"));
    }

    [Theory]
    [InlineData("s3", """{"bucket":"b"}""")]
    [InlineData("s3", """{"endpoint":"http://127.0.0.1:1"}""")]
    [InlineData("ipfs", """{}""")]
    [InlineData("ipfs", """{"api":"not a url"}""")]
    [InlineData("s3", "[1]")]
    public void Open_IncompleteSettings_ThrowsArgumentException(string type, string settings)
    {
        var record = new BackendRecord("x", type, settings, DateTimeOffset.UtcNow);

        Assert.Throws<ArgumentException>(() => BackendFactory.Open(record, "/tmp/repo", NullLoggerFactory.Instance));
    }
}
