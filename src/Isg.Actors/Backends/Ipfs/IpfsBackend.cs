using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Isg.Actors.Backends.Remote;
using Isg.Protocol.Hashing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Backends.Ipfs;

/// <summary>
/// Objects stored as raw IPFS blocks through a daemon's RPC API (Kubo, or js-ipfs for tests): put is
/// <c>block/put</c> (cid-codec raw, sha2-256) of each part of at most <see cref="IpfsBackendOptions.PartSize"/> bytes,
/// each returned CID checked against the one we compute, then <c>pin/add</c>; get is <c>block/get</c> with every part
/// checked against its CID; delete is <c>pin/rm</c> then <c>block/rm</c>. Our object names are HMACs, not content
/// hashes, so a <see cref="RemoteObjectIndex"/> under the state folder maps each name to its CIDs: it is what list
/// enumerates (<see cref="BackendCapabilities.SupportsList"/> is false). The index row is written only after every
/// part is stored and pinned, so a name never points at a block the daemon lacks; a crash in between leaves pinned
/// blocks no name uses (space, not data, is lost). Replacing a name unpins its old blocks (the daemon's GC frees them).
/// Thread-safe; puts and deletes of one name are serialised around the index.
/// </summary>
public sealed class IpfsBackend : IStorageBackend, IDisposable
{
    private const string IndexFileName = "ipfs-objects.db";
    private const int MaxErrorBodyBytes = 4096;
    private const int NameLockStripes = 64;

    private readonly IpfsBackendOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly RemoteObjectIndex _index;
    private readonly string _api;
    private readonly string _daemonTimeout;
    private readonly SemaphoreSlim[] _nameLocks;

    /// <summary>
    /// Opens the backend (and its index); <paramref name="handler"/> replaces the HTTP stack (tests), and is disposed
    /// with the backend.
    /// </summary>
    public IpfsBackend(IpfsBackendOptions options, ILogger<IpfsBackend>? logger = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            // Per-call timeouts come from linked token sources, so the caller's cancellation stays distinguishable.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _api = options.ApiAddress.AbsoluteUri.TrimEnd('/') + "/api/v0/";
        _daemonTimeout = "&timeout=" + ((long)options.RequestTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + "s";
        _index = RemoteObjectIndex.Open(Path.Combine(options.StateDirectory, IndexFileName));
        _nameLocks = new SemaphoreSlim[NameLockStripes];
        for (var i = 0; i < _nameLocks.Length; i++)
        {
            _nameLocks[i] = new SemaphoreSlim(1, 1);
        }

        Capabilities = new BackendCapabilities(options.MaxObjectSize, AcceptsOnlyVideo: false, IsLocal: false)
        {
            SupportsDelete = true,
            SupportsList = false,
        };
    }

    /// <inheritdoc/>
    public string Name => _options.Name;

    /// <inheritdoc/>
    public BackendCapabilities Capabilities { get; }

    /// <summary>The index of names to CIDs (for `backend list` usage figures).</summary>
    public RemoteObjectIndex Index => _index;

    /// <inheritdoc/>
    public async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        if (data.Length > _options.MaxObjectSize)
        {
            throw new BackendException(BackendFailureKind.Permanent, Name,
                $"object {objectName} is {data.Length} bytes, more than the {_options.MaxObjectSize} this backend accepts");
        }

        var partCount = Math.Max(1, (data.Length + _options.PartSize - 1) / _options.PartSize);
        var parts = new string[partCount];
        for (var i = 0; i < partCount; i++)
        {
            var start = i * _options.PartSize;
            parts[i] = await PutBlockAsync(data.Slice(start, Math.Min(_options.PartSize, data.Length - start)), cancellationToken).ConfigureAwait(false);
        }

        var gate = NameLock(objectName);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Pinning under the name's lock keeps a concurrent replacement of the same name from unpinning our blocks
            // after we pinned them but before our index row is written.
            foreach (var part in parts.Distinct(StringComparer.Ordinal))
            {
                await CallAsync("pin/add?arg=" + part + _daemonTimeout, cancellationToken).ConfigureAwait(false);
            }

            var previous = _index.TryGet(objectName, out var old) ? old : null;
            _index.Put(new RemoteObject(objectName, parts, data.Length));
            if (previous is not null)
            {
                await UnpinAsync(previous.Parts.Except(parts, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_index.TryGet(objectName, out var entry))
        {
            throw new BackendException(BackendFailureKind.NotFound, Name, $"object {objectName} not found");
        }

        if (entry.Length > _options.MaxObjectSize)
        {
            throw new BackendException(BackendFailureKind.Permanent, Name, $"object {objectName} is recorded as {entry.Length} bytes, beyond the limit");
        }

        var buffer = PooledBuffer.Rent((int)entry.Length);
        try
        {
            var offset = 0;
            foreach (var part in entry.Parts)
            {
                offset += await GetBlockAsync(objectName, part, buffer.Memory[offset..], cancellationToken).ConfigureAwait(false);
            }

            if (offset != entry.Length)
            {
                throw new BackendException(BackendFailureKind.Permanent, Name,
                    $"object {objectName}: its blocks hold {offset} bytes, the index says {entry.Length}");
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    /// <remarks>True when the index names the object and the daemon holds every block of it (<c>block/stat</c>).</remarks>
    public async Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_index.TryGet(objectName, out var entry))
        {
            return false;
        }

        try
        {
            foreach (var part in entry.Parts.Distinct(StringComparer.Ordinal))
            {
                await CallAsync("block/stat?arg=" + part + _daemonTimeout, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        var gate = NameLock(objectName);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_index.TryGet(objectName, out var entry))
            {
                return;
            }

            // Unpin before forgetting the name: if unpinning fails the delete can be retried; blocks removed after
            // the index row only cost space when that fails (they are unpinned, so the daemon's GC takes them).
            await UnpinAsync(entry.Parts, cancellationToken).ConfigureAwait(false);
            _index.Remove(objectName);
            foreach (var part in entry.Parts.Distinct(StringComparer.Ordinal))
            {
                try
                {
                    await CallAsync("block/rm?force=true&arg=" + part, cancellationToken).ConfigureAwait(false);
                }
                catch (BackendException e)
                {
                    _logger.LogWarning(e, "IPFS backend {Name}: removing unpinned block {Cid} of deleted object {Object} failed; the daemon's GC will take it",
                        Name, part, objectName);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var entry in _index.All())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry.Name;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Nothing to do: block/put and pin/add return once the daemon stored them (Kubo's flatfs syncs each write), and
    /// the index commits each row with synchronous=FULL before a put returns.
    /// </remarks>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public BackendFailureKind Classify(Exception exception) => ClassifyException(exception);

    /// <summary>The classification <see cref="Classify"/> uses, for exceptions from any IPFS RPC call.</summary>
    public static BackendFailureKind ClassifyException(Exception exception) => exception switch
    {
        BackendException backend => backend.Kind,
        HttpRequestException { StatusCode: { } status } => ClassifyStatus(status, null),
        // Connection refused or reset, DNS failure, a cut response: the daemon may be back later.
        HttpRequestException or IOException or SocketException => BackendFailureKind.Transient,
        TimeoutException or OperationCanceledException => BackendFailureKind.Transient,
        JsonException => BackendFailureKind.Permanent,
        _ => BackendFailureKind.Permanent,
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        _http.Dispose();
        _index.Dispose();
        foreach (var gate in _nameLocks)
        {
            gate.Dispose();
        }
    }

    /// <summary>
    /// How a Kubo RPC error maps: by the error's <c>Code</c> when it says (go-ipfs-cmds: 1 client, 3 not found,
    /// 5 rate limited, 6 forbidden), else by HTTP status (401/403 unauthorized, 404 not found, 408/429/5xx
    /// transient, other 4xx permanent).
    /// </summary>
    internal static BackendFailureKind ClassifyStatus(HttpStatusCode status, int? code) => code switch
    {
        1 => BackendFailureKind.Permanent,
        3 => BackendFailureKind.NotFound,
        5 => BackendFailureKind.Transient,
        6 => BackendFailureKind.Unauthorized,
        _ => status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.ProxyAuthenticationRequired => BackendFailureKind.Unauthorized,
            HttpStatusCode.NotFound or HttpStatusCode.Gone => BackendFailureKind.NotFound,
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests => BackendFailureKind.Transient,
            >= HttpStatusCode.InternalServerError => BackendFailureKind.Transient,
            _ => BackendFailureKind.Permanent,
        },
    };

    private async Task<string> PutBlockAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        var expected = Cid.OfRaw(block.Span);
        using var form = new MultipartFormDataContent();
        var file = new ReadOnlyMemoryContent(block);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "block");

        // format=raw is the pre-0.12 spelling js-ipfs still needs (without it, it answers with a CIDv0); Kubo accepts
        // it beside cid-codec=raw.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        JsonDocument json;
        try
        {
            using var response = await SendAsync(HttpMethod.Post, "block/put?cid-codec=raw&format=raw&mhtype=sha2-256&mhlen=32", form, timeout.Token)
                .ConfigureAwait(false);
            json = await ReadJsonAsync(response, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BackendException(BackendFailureKind.Transient, Name, $"block/put took longer than {_options.RequestTimeout}", e);
        }
        catch (JsonException e)
        {
            throw new BackendException(BackendFailureKind.Permanent, Name, $"block/put answered with something other than JSON: {e.Message}", e);
        }

        using var disposeJson = json;
        var key = json.RootElement.TryGetProperty("Key", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (key is null || !Cid.TryParse(key, out var returned, out var error) || returned != expected)
        {
            var reason = key is null ? "no Key in its reply" : Cid.TryParse(key, out _, out error) ? $"CID {key}" : $"'{key}' ({error.Message})";
            _logger.LogWarning("IPFS backend {Name}: block/put of {Bytes} bytes answered {Reason}, expected {Expected}", Name, block.Length, reason, expected);
            throw new BackendException(BackendFailureKind.Permanent, Name,
                $"block/put of {block.Length} bytes answered {reason}, but the raw sha2-256 CID of the bytes is {expected}");
        }

        return key;
    }

    private async Task<int> GetBlockAsync(string objectName, string part, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (!Cid.TryParse(part, out var cid, out var error))
        {
            throw new BackendException(BackendFailureKind.Permanent, Name, $"object {objectName}: the index holds a bad CID '{part}' ({error.Message})");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await SendAsync(HttpMethod.Post, "block/get?arg=" + part + _daemonTimeout, null, timeout.Token).ConfigureAwait(false);
            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var read = 0;
                while (true)
                {
                    if (read == destination.Length)
                    {
                        // The part must end exactly here (one probe byte tells a longer block apart).
                        var probe = new byte[1];
                        if (await stream.ReadAsync(probe, timeout.Token).ConfigureAwait(false) != 0)
                        {
                            throw new BackendException(BackendFailureKind.Permanent, Name,
                                $"object {objectName}: block {part} is longer than the object's recorded length");
                        }

                        break;
                    }

                    var n = await stream.ReadAsync(destination[read..], timeout.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                if (!cid.Matches(destination.Span[..read]))
                {
                    _logger.LogWarning("IPFS backend {Name}: block/get {Cid} of object {Object} returned {Bytes} bytes that do not hash to it", Name, part, objectName, read);
                    throw new BackendException(BackendFailureKind.Permanent, Name,
                        $"object {objectName}: block/get {part} returned {read} bytes whose sha2-256 is {Cid.OfRaw(destination.Span[..read])}");
                }

                return read;
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BackendException(BackendFailureKind.Transient, Name, $"block/get {part} took longer than {_options.RequestTimeout}", e);
        }
    }

    private async Task UnpinAsync(IEnumerable<string> parts, CancellationToken cancellationToken)
    {
        foreach (var part in parts.Distinct(StringComparer.Ordinal))
        {
            try
            {
                await CallAsync("pin/rm?arg=" + part, cancellationToken).ConfigureAwait(false);
            }
            catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound
                || e.Message.Contains("not pinned", StringComparison.OrdinalIgnoreCase))
            {
                // Already unpinned (a retried delete, or someone else's pin/rm): the goal is reached.
                _logger.LogDebug(e, "IPFS backend {Name}: {Cid} was not pinned", Name, part);
            }
        }
    }

    private async Task CallAsync(string command, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await SendAsync(HttpMethod.Post, command, null, timeout.Token).ConfigureAwait(false);
            await response.Content.CopyToAsync(Stream.Null, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BackendException(BackendFailureKind.Transient, Name, $"{Verb(command)} took longer than {_options.RequestTimeout}", e);
        }
    }

    /// <summary>Sends one RPC call; a non-success reply becomes a classified <see cref="BackendException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string command, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, _api + command) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new BackendException(BackendFailureKind.Transient, Name, $"{Verb(command)}: {e.Message}", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ErrorAsync(command, response, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<BackendException> ErrorAsync(string command, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            body = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, MaxErrorBodyBytes));
        }
        catch (HttpRequestException e)
        {
            body = $"(unreadable error body: {e.Message})";
        }

        string message = body.Trim();
        int? code = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (json.RootElement.TryGetProperty("Message", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    message = m.GetString()!;
                }

                if (json.RootElement.TryGetProperty("Code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var value))
                {
                    code = value;
                }
            }
        }
        catch (JsonException)
        {
            // Not the RPC's JSON error (a proxy's HTML page): the status decides and the raw text is the message.
        }

        var kind = ClassifyStatus(response.StatusCode, code);
        // Kubo answers 500 with code 0 for a block its blockstore lacks ("block was not found locally (offline)",
        // "ipld: could not find"): that is a missing object, not a busy server.
        if (kind == BackendFailureKind.Transient && code is null or 0
            && (message.Contains("not found", StringComparison.OrdinalIgnoreCase) || message.Contains("could not find", StringComparison.OrdinalIgnoreCase)))
        {
            kind = BackendFailureKind.NotFound;
        }

        return new BackendException(kind, Name, $"{Verb(command)} failed with HTTP {(int)response.StatusCode}: {message}")
        {
            RetryAfter = RemoteFailures.RetryAfter(response, TimeProvider.System),
        };
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Verb(string command) => command.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? command[..q] : command;

    private SemaphoreSlim NameLock(string objectName) =>
        _nameLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(objectName) % NameLockStripes)];
}
