using Isg.Actors.Backends;
using Isg.Actors.Backends.Resilience;
using Isg.TestKit;

namespace Isg.Actors.Tests.Backends.Resilience;

public sealed class BackendStatusFileTests : IDisposable
{
    private const string Object = "0123456789abcdef0123";
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task MeteredBackend_FailuresThenSuccess_PersistsHealthAsItChangesAndTotalsOnDispose()
    {
        var path = _dir.Combine("state", BackendStatusFile.FileName);
        var inner = new ScriptedBackend();
        var backend = new MeteredBackend(inner, _time, status: new BackendStatusFile(path, _time));
        inner.Script = (_, _) => Task.FromException(new IOException("connection reset by the platform"));

        await Assert.ThrowsAsync<IOException>(() => backend.PutAsync(Object, new byte[10], CancellationToken.None));

        // A change of health is written at once: another process sees it now.
        var failing = BackendStatusFile.Read(path);
        Assert.NotNull(failing);
        Assert.Equal("failing", failing.Health);
        Assert.Equal(BackendFailureKind.Transient, failing.LastFailureKind);
        Assert.Equal("connection reset by the platform", failing.LastFailure);
        Assert.Equal(_time.GetUtcNow(), failing.LastFailureAt);
        Assert.Null(failing.LastSuccessAt);

        _time.Advance(TimeSpan.FromMinutes(1));
        inner.Script = null;
        await backend.PutAsync(Object, new byte[1000], CancellationToken.None);
        using (await backend.GetAsync(Object, CancellationToken.None))
        {
        }

        var ok = BackendStatusFile.Read(path)!;
        Assert.Equal("ok", ok.Health);
        Assert.Equal(_time.GetUtcNow(), ok.LastSuccessAt);
        Assert.Equal(BackendFailureKind.Transient, ok.LastFailureKind);

        // The get came within the write interval of the put: written when the backend is closed.
        await backend.DisposeAsync();
        var closed = BackendStatusFile.Read(path)!;
        Assert.Equal(3, closed.Calls);
        Assert.Equal(1, closed.Failures);
        Assert.Equal(1000, closed.BytesOut);
        Assert.Equal(1000, closed.BytesIn);
    }

    [Fact]
    public void Write_TwoProcessesInTurn_CountersAddUpAndTheLaterOutcomeWins()
    {
        var path = _dir.Combine(BackendStatusFile.FileName);
        var first = new BackendStatusFile(path, _time);
        var second = new BackendStatusFile(path, _time);

        first.Succeeded(bytesOut: 100, bytesIn: 0, CircuitState.Closed);
        _time.Advance(TimeSpan.FromSeconds(5));
        second.Failed(BackendFailureKind.Unauthorized, "HTTP 401", CircuitState.Open);
        _time.Advance(TimeSpan.FromSeconds(5));
        first.Succeeded(bytesOut: 50, bytesIn: 7, CircuitState.Closed);
        Assert.True(first.Flush());
        Assert.True(second.Flush());

        var merged = BackendStatusFile.Read(path)!;
        Assert.Equal(3, merged.Calls);
        Assert.Equal(1, merged.Failures);
        Assert.Equal(150, merged.BytesOut);
        Assert.Equal(7, merged.BytesIn);
        Assert.Equal("ok", merged.Health);
        Assert.Equal(CircuitState.Closed, merged.Circuit);
        Assert.Equal(BackendFailureKind.Unauthorized, merged.LastFailureKind);
        Assert.Equal(_time.GetUtcNow(), merged.LastSuccessAt);
    }

    [Fact]
    public void Read_MissingOrDamagedFile_IsNull()
    {
        var path = _dir.Combine(BackendStatusFile.FileName);
        Assert.Null(BackendStatusFile.Read(path));
        File.WriteAllText(path, "{\"Calls\": ");
        Assert.Null(BackendStatusFile.Read(path));
    }
}
