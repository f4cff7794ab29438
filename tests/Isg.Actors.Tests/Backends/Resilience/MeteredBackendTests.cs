using System.Diagnostics.Metrics;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Resilience;
using Isg.TestKit;

namespace Isg.Actors.Tests.Backends.Resilience;

public sealed class MeteredBackendTests
{
    private const string Object = "0123456789abcdef0123";
    private readonly ManualTimeProvider _time = new();
    private readonly ScriptedBackend _inner = new(name: "metered-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Snapshot_CountsCallsBytesFailuresAndLatency()
    {
        var backend = new MeteredBackend(_inner, _time);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.Script = (op, n) => op == "put" && n == 1 ? hold.Task : Task.CompletedTask;

        var put = backend.PutAsync(Object, new byte[300], CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2));
        hold.SetResult();
        await put;
        using (var owner = await backend.GetAsync(Object, CancellationToken.None))
        {
            Assert.Equal(300, owner.Memory.Length);
        }

        await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync("ffffffffffffffffffff", CancellationToken.None));
        _inner.Script = (_, _) => Task.FromException(new IOException("reset"));
        await Assert.ThrowsAsync<IOException>(() => backend.DeleteAsync(Object, CancellationToken.None));

        var snapshot = backend.Snapshot();
        Assert.Equal(_inner.Name, snapshot.Backend);
        Assert.Equal(4, snapshot.Calls);
        Assert.Equal(2, snapshot.Failures);
        Assert.Equal(1, snapshot.FailuresByKind[BackendFailureKind.NotFound]);
        Assert.Equal(1, snapshot.FailuresByKind[BackendFailureKind.Transient]);
        Assert.Equal(300, snapshot.BytesOut);
        Assert.Equal(300, snapshot.BytesIn);
        Assert.Equal(TimeSpan.FromSeconds(2), snapshot.TotalLatency);
        Assert.Equal(TimeSpan.FromSeconds(0.5), snapshot.MeanLatency);
        Assert.Equal(BackendFailureKind.Transient, snapshot.LastFailureKind);
        Assert.Equal(_time.GetUtcNow(), snapshot.LastFailureAt);
        Assert.Equal("failing", snapshot.Health);
        Assert.Equal(CircuitState.Closed, snapshot.Circuit);
    }

    [Fact]
    public async Task Snapshot_CallerCancellation_IsNoFailure()
    {
        var backend = new MeteredBackend(_inner, _time);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.PutAsync(Object, new byte[1], new CancellationToken(canceled: true)));

        var snapshot = backend.Snapshot();
        Assert.Equal(1, snapshot.Calls);
        Assert.Equal(0, snapshot.Failures);
        Assert.Equal("unused", snapshot.Health);
    }

    [Fact]
    public async Task Instruments_PublishOnTheIsgBackendsMeter()
    {
        var measurements = new List<(string Instrument, long Value, string? Operation, string? Kind)>();
        var durations = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MeteredBackend.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? backend = null, operation = null, kind = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "backend": backend = (string?)tag.Value; break;
                    case "operation": operation = (string?)tag.Value; break;
                    case "kind": kind = (string?)tag.Value; break;
                }
            }

            if (backend == _inner.Name)
            {
                lock (measurements)
                {
                    measurements.Add((instrument.Name, value, operation, kind));
                }
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "backend" && (string?)tag.Value == _inner.Name)
                {
                    Interlocked.Increment(ref durations);
                }
            }
        });
        listener.Start();
        var backend = new MeteredBackend(_inner, _time);

        await backend.PutAsync(Object, new byte[42], CancellationToken.None);
        (await backend.GetAsync(Object, CancellationToken.None)).Dispose();
        await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync("ffffffffffffffffffff", CancellationToken.None));

        Assert.Contains(("isg.backend.calls", 1L, "put", (string?)null), measurements);
        Assert.Contains(("isg.backend.bytes_out", 42L, "put", (string?)null), measurements);
        Assert.Contains(("isg.backend.bytes_in", 42L, "get", (string?)null), measurements);
        Assert.Contains(("isg.backend.failures", 1L, "get", "NotFound"), measurements);
        Assert.Equal(3, measurements.Count(m => m.Instrument == "isg.backend.calls"));
        Assert.Equal(3, durations);
    }
}
