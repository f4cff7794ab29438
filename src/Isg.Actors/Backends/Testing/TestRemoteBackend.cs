using System.Buffers;
using Isg.Actors.Backends.Local;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.Testing;

/// <summary>
/// TEST ONLY: a "remote" backend (type <see cref="BackendFactory.TestRemoteType"/>) kept in a local folder, so
/// end-to-end tests can exercise the upload queue with a platform that goes away. Each call first reads the
/// environment: <see cref="FailVariable"/>=1 makes it fail as an unreachable platform (Transient). It opens only
/// when <see cref="EnableVariable"/>=1, so a production repository can never use it.
/// </summary>
public sealed class TestRemoteBackend : IStorageBackend, IDisposable
{
    /// <summary>Must be "1" for the type to be added or opened.</summary>
    public const string EnableVariable = "ISG_ENABLE_TEST_BACKENDS";

    /// <summary>"1": every call fails as an unreachable platform would.</summary>
    public const string FailVariable = "ISG_TESTREMOTE_FAIL";

    private readonly LocalBlockStore _store;

    /// <summary>Opens the test backend <paramref name="name"/> on folder <paramref name="path"/>; throws unless enabled.</summary>
    public TestRemoteBackend(string name, string path, ILogger logger)
    {
        if (!IsEnabled)
        {
            throw new ArgumentException($"backend '{name}' has the test-only type '{BackendFactory.TestRemoteType}'; set {EnableVariable}=1 to use it");
        }

        _store = new LocalBlockStore(new LocalBlockStoreOptions(path) { Name = name }, logger);
        Capabilities = new BackendCapabilities(64L << 20, AcceptsOnlyVideo: false, IsLocal: false);
    }

    /// <summary>Whether the test-only types may be used in this process.</summary>
    public static bool IsEnabled => Environment.GetEnvironmentVariable(EnableVariable) == "1";

    /// <inheritdoc />
    public string Name => _store.Name;

    /// <inheritdoc />
    public BackendCapabilities Capabilities { get; }

    /// <inheritdoc />
    public async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Reach();
        await _store.PutAsync(objectName, data, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        Reach();
        return await _store.GetAsync(objectName, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        Reach();
        return await _store.ExistsAsync(objectName, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        Reach();
        await _store.DeleteAsync(objectName, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Reach();
        await foreach (var name in _store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return name;
        }
    }

    /// <inheritdoc />
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        Reach();
        await _store.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public BackendFailureKind Classify(Exception exception) => _store.Classify(exception);

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();

    private void Reach()
    {
        if (Environment.GetEnvironmentVariable(FailVariable) == "1")
        {
            throw new BackendException(BackendFailureKind.Transient, Name, "test platform unreachable (" + FailVariable + "=1)");
        }
    }
}
