using System.Buffers;
using System.Security.Cryptography;
using Isg.Actors.Backends;

namespace Isg.Actors.Tests.Backends;

/// <summary>
/// The contract every <see cref="IStorageBackend"/> must meet. A backend's test class derives from this and
/// overrides <see cref="CreateBackendAsync"/>: each call returns a NEW instance over the SAME storage, which is
/// empty when the test class instance is created (xUnit creates one per test).
/// </summary>
public abstract class BackendConformanceTests : IAsyncLifetime
{
    private readonly List<IStorageBackend> _created = [];

    /// <summary>A new backend instance over this test's storage (see the class summary).</summary>
    protected abstract Task<IStorageBackend> CreateBackendAsync();

    /// <summary>Whether the backend rejects names outside <see cref="ObjectNames"/> (all backends that map names to paths or keys should).</summary>
    protected virtual bool RestrictsNames => true;

    /// <summary>The size of the large-object test (capped at the backend's MaxObjectSize unless it splits objects).</summary>
    protected virtual int LargeObjectSize => 12 << 20;

    /// <summary>Whether the backend splits objects above its MaxObjectSize into several platform objects (then it must take them whole).</summary>
    protected virtual bool SplitsLargeObjects => false;

    /// <summary>
    /// Whether the server behind the backend replaces objects atomically for concurrent readers. False only for test
    /// servers that overwrite in place (s3rver): reads racing a replacement may then fail, but only as
    /// <see cref="BackendFailureKind.Transient"/>, and must never return a mix of two objects.
    /// </summary>
    protected virtual bool ServerReplacesAtomically => true;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var backend in _created)
        {
            switch (backend)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4 * 1024 * 1024)]
    public async Task PutAsync_ThenGetAsync_ReturnsExactBytes(int size)
    {
        var backend = await NewBackendAsync();
        size = (int)Math.Min(size, backend.Capabilities.MaxObjectSize);
        var data = RandomBytes(size, seed: size);
        var name = NewName();

        await backend.PutAsync(name, data, CancellationToken.None);
        using var owner = await backend.GetAsync(name, CancellationToken.None);

        Assert.Equal(size, owner.Memory.Length);
        Assert.True(owner.Memory.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task PutAsync_LargeObject_ReturnsExactBytes()
    {
        var backend = await NewBackendAsync();
        var size = SplitsLargeObjects ? LargeObjectSize : (int)Math.Min(LargeObjectSize, backend.Capabilities.MaxObjectSize);
        var data = RandomBytes(size, seed: 77);
        var name = NewName();

        await backend.PutAsync(name, data, CancellationToken.None);
        using var owner = await backend.GetAsync(name, CancellationToken.None);

        Assert.Equal(size, owner.Memory.Length);
        Assert.True(owner.Memory.Span.SequenceEqual(data));
        Assert.Equal([name], await ListAsync(backend));
    }

    [Fact]
    public async Task PutAsync_AboveMaxObjectSize_SplitsAndReturnsExactBytes()
    {
        var backend = await NewBackendAsync();
        if (!SplitsLargeObjects)
        {
            return;
        }

        Assert.InRange(backend.Capabilities.MaxObjectSize, 1, 256L << 20);
        var size = (int)(backend.Capabilities.MaxObjectSize * 2) + 12_345;
        var data = RandomBytes(size, seed: 78);
        var name = NewName();

        await backend.PutAsync(name, data, CancellationToken.None);
        using var owner = await backend.GetAsync(name, CancellationToken.None);

        Assert.True(owner.Memory.Span.SequenceEqual(data));
        Assert.Equal([name], await ListAsync(backend));
        await backend.DeleteAsync(name, CancellationToken.None);
        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task PutAsync_SameBytesTwice_IsIdempotent()
    {
        var backend = await NewBackendAsync();
        var name = NewName();
        var data = RandomBytes(20_000, 12);

        await backend.PutAsync(name, data, CancellationToken.None);
        await backend.PutAsync(name, data, CancellationToken.None);

        using var owner = await backend.GetAsync(name, CancellationToken.None);
        Assert.True(owner.Memory.Span.SequenceEqual(data));
        Assert.Equal([name], await ListAsync(backend));
    }

    [Fact]
    public async Task Operations_ConcurrentPutsGetsAndExists_AllConsistent()
    {
        var backend = await NewBackendAsync();
        var stored = Enumerable.Range(0, 32).Select(i => (Name: NewName(), Data: RandomBytes(2000 + (i * 313), 100 + i))).ToList();
        foreach (var (name, data) in stored)
        {
            await backend.PutAsync(name, data, CancellationToken.None);
        }

        var added = Enumerable.Range(0, 32).Select(i => (Name: NewName(), Data: RandomBytes(3000 + (i * 211), 200 + i))).ToList();
        var puts = added.Select(o => Task.Run(() => backend.PutAsync(o.Name, o.Data, CancellationToken.None)));
        var gets = stored.Select(o => Task.Run(async () =>
        {
            using var owner = await backend.GetAsync(o.Name, CancellationToken.None);
            Assert.True(owner.Memory.Span.SequenceEqual(o.Data), o.Name);
            Assert.True(await backend.ExistsAsync(o.Name, CancellationToken.None));
        }));
        await Task.WhenAll(puts.Concat(gets));

        await Task.WhenAll(added.Select(o => Task.Run(async () =>
        {
            using var owner = await backend.GetAsync(o.Name, CancellationToken.None);
            Assert.True(owner.Memory.Span.SequenceEqual(o.Data), o.Name);
        })));
        Assert.Equal(stored.Concat(added).Select(o => o.Name).Order(StringComparer.Ordinal), await ListAsync(backend));
    }

    [Fact]
    public async Task Operations_CancelledToken_ThrowOperationCanceledPromptly()
    {
        var backend = await NewBackendAsync();
        var name = NewName();
        await backend.PutAsync(name, RandomBytes(100, 1), CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var promptly = TimeSpan.FromSeconds(5);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.GetAsync(name, cancelled.Token).WaitAsync(promptly));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.ExistsAsync(name, cancelled.Token).WaitAsync(promptly));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.DeleteAsync(name, cancelled.Token).WaitAsync(promptly));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Run(async () =>
        {
            await foreach (var listed in backend.ListAsync(cancelled.Token))
            {
                Assert.NotNull(listed);
            }
        }).WaitAsync(promptly));

        using var owner = await backend.GetAsync(name, CancellationToken.None);
        Assert.Equal(100, owner.Memory.Length);
    }

    [Fact]
    public async Task PutAsync_ExistingName_ReplacesTheObject()
    {
        var backend = await NewBackendAsync();
        var name = NewName();
        await backend.PutAsync(name, RandomBytes(5000, 1), CancellationToken.None);

        var replacement = RandomBytes(300, 2);
        await backend.PutAsync(name, replacement, CancellationToken.None);

        using var owner = await backend.GetAsync(name, CancellationToken.None);
        Assert.True(owner.Memory.Span.SequenceEqual(replacement));
        Assert.Equal([name], await ListAsync(backend));
    }

    [Fact]
    public async Task GetAsync_MissingObject_ThrowsNotFound()
    {
        var backend = await NewBackendAsync();

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync(NewName(), CancellationToken.None));

        Assert.Equal(BackendFailureKind.NotFound, error.Kind);
        Assert.Equal(backend.Name, error.Backend);
        Assert.Equal(BackendFailureKind.NotFound, backend.Classify(error));
    }

    [Fact]
    public async Task DeleteAsync_MissingObject_Succeeds()
    {
        var backend = await NewBackendAsync();

        await backend.DeleteAsync(NewName(), CancellationToken.None);

        Assert.Empty(await ListAsync(backend));
    }

    [Fact]
    public async Task DeleteAsync_ExistingObject_RemovesItAndIsIdempotent()
    {
        var backend = await NewBackendAsync();
        var name = NewName();
        var kept = NewName();
        await backend.PutAsync(name, RandomBytes(100, 3), CancellationToken.None);
        await backend.PutAsync(kept, RandomBytes(100, 4), CancellationToken.None);

        await backend.DeleteAsync(name, CancellationToken.None);
        await backend.DeleteAsync(name, CancellationToken.None);

        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
        Assert.True(await backend.ExistsAsync(kept, CancellationToken.None));
        var error = await Assert.ThrowsAsync<BackendException>(() => backend.GetAsync(name, CancellationToken.None));
        Assert.Equal(BackendFailureKind.NotFound, error.Kind);
        Assert.Equal([kept], await ListAsync(backend));
    }

    [Fact]
    public async Task ExistsAsync_ReflectsPuts()
    {
        var backend = await NewBackendAsync();
        var name = NewName();

        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
        await backend.PutAsync(name, RandomBytes(10, 5), CancellationToken.None);
        Assert.True(await backend.ExistsAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task ListAsync_ReturnsExactlyWhatWasPut()
    {
        var backend = await NewBackendAsync();
        var names = Enumerable.Range(0, 60).Select(_ => NewName()).ToList();
        foreach (var name in names)
        {
            await backend.PutAsync(name, RandomBytes(16, name.GetHashCode(StringComparison.Ordinal)), CancellationToken.None);
        }

        foreach (var name in names.Take(7))
        {
            await backend.DeleteAsync(name, CancellationToken.None);
        }

        Assert.Equal(names.Skip(7).Order(StringComparer.Ordinal), await ListAsync(backend));
    }

    [Fact]
    public async Task PutAsync_ConcurrentDifferentNames_AllReadable()
    {
        var backend = await NewBackendAsync();
        var objects = Enumerable.Range(0, 64).Select(i => (Name: NewName(), Data: RandomBytes(1000 + (i * 997), i))).ToList();

        await Task.WhenAll(objects.Select(o => Task.Run(() => backend.PutAsync(o.Name, o.Data, CancellationToken.None))));

        foreach (var (name, data) in objects)
        {
            using var owner = await backend.GetAsync(name, CancellationToken.None);
            Assert.True(owner.Memory.Span.SequenceEqual(data), name);
        }

        Assert.Equal(objects.Select(o => o.Name).Order(StringComparer.Ordinal), await ListAsync(backend));
    }

    [Fact]
    public async Task PutAsync_ConcurrentReplacementsOfOneName_ReadersSeeWholeObjects()
    {
        var backend = await NewBackendAsync();
        var name = NewName();
        var first = RandomBytes(64 * 1024, 10);
        var second = RandomBytes(48 * 1024, 11);
        await backend.PutAsync(name, first, CancellationToken.None);

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await backend.PutAsync(name, i % 2 == 0 ? second : first, CancellationToken.None);
            }
        });
        var reads = 0;
        while (!writer.IsCompleted || reads == 0)
        {
            IMemoryOwner<byte> owner;
            try
            {
                owner = await backend.GetAsync(name, CancellationToken.None);
            }
            catch (BackendException e) when (!ServerReplacesAtomically && e.Kind == BackendFailureKind.Transient)
            {
                continue;
            }

            using (owner)
            {
                Assert.True(owner.Memory.Span.SequenceEqual(first) || owner.Memory.Span.SequenceEqual(second));
            }

            reads++;
        }

        await writer;
    }

    [Fact]
    public async Task FlushAsync_ThenFreshInstance_ReadsTheData()
    {
        var backend = await NewBackendAsync();
        var objects = Enumerable.Range(0, 20).Select(i => (Name: NewName(), Data: RandomBytes(i * 1000, i))).ToList();
        foreach (var (name, data) in objects)
        {
            await backend.PutAsync(name, data, CancellationToken.None);
        }

        await backend.FlushAsync(CancellationToken.None);
        await backend.FlushAsync(CancellationToken.None);
        var fresh = await NewBackendAsync();

        foreach (var (name, data) in objects)
        {
            using var owner = await fresh.GetAsync(name, CancellationToken.None);
            Assert.True(owner.Memory.Span.SequenceEqual(data));
        }

        Assert.Equal(objects.Select(o => o.Name).Order(StringComparer.Ordinal), await ListAsync(fresh));
    }

    [Fact]
    public async Task PutAsync_CancelledToken_ThrowsAndStoresNothing()
    {
        var backend = await NewBackendAsync();
        var name = NewName();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.PutAsync(name, RandomBytes(10, 1), cancelled.Token));

        Assert.False(await backend.ExistsAsync(name, CancellationToken.None));
        Assert.Empty(await ListAsync(backend));
    }

    [Fact]
    public async Task GetAsync_OwnerDisposedTwice_IsSafe()
    {
        var backend = await NewBackendAsync();
        var name = NewName();
        await backend.PutAsync(name, RandomBytes(100, 1), CancellationToken.None);

        var owner = await backend.GetAsync(name, CancellationToken.None);
        owner.Dispose();
        owner.Dispose();

        using var again = await backend.GetAsync(name, CancellationToken.None);
        Assert.Equal(100, again.Memory.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("0123456789ABCDEF0123")]
    [InlineData("../../etc/passwd/xxxxxxx")]
    [InlineData("aaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbb")]
    [InlineData("aaaaaaaaaaaaaaaa.tmp")]
    [InlineData("äaaaaaaaaaaaaaaaaaaa")]
    public async Task Operations_InvalidName_AreRejected(string name)
    {
        if (!RestrictsNames)
        {
            return;
        }

        var backend = await NewBackendAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => backend.PutAsync(name, RandomBytes(1, 1), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => backend.GetAsync(name, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => backend.ExistsAsync(name, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => backend.DeleteAsync(name, CancellationToken.None));
        Assert.Empty(await ListAsync(backend));
    }

    [Fact]
    public async Task Operations_LongestAndShortestValidNames_Work()
    {
        var backend = await NewBackendAsync();
        var shortest = new string('a', ObjectNames.MinLength);
        var longest = new string('z', ObjectNames.MaxLength);

        await backend.PutAsync(shortest, RandomBytes(3, 1), CancellationToken.None);
        await backend.PutAsync(longest, RandomBytes(4, 2), CancellationToken.None);

        Assert.Equal([shortest, longest], await ListAsync(backend));
    }

    [Fact]
    public async Task Capabilities_AreDeclared()
    {
        var backend = await NewBackendAsync();

        Assert.False(string.IsNullOrWhiteSpace(backend.Name));
        Assert.True(backend.Capabilities.MaxObjectSize > 0);
    }

    protected static string NewName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    protected static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static async Task<List<string>> ListAsync(IStorageBackend backend)
    {
        var names = new List<string>();
        await foreach (var name in backend.ListAsync(CancellationToken.None))
        {
            names.Add(name);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private async Task<IStorageBackend> NewBackendAsync()
    {
        var backend = await CreateBackendAsync();
        _created.Add(backend);
        return backend;
    }
}
