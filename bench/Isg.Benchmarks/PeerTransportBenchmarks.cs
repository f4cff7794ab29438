using System.Net;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Google.Protobuf;
using Isg.Actors.Peers.Identity;
using Isg.Actors.Peers.Transport;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Benchmarks;

/// <summary>
/// One TLS 1.3 peer connection over loopback: 64 MiB fetched as 2 MiB block parts with several requests in flight
/// (what swarming does), and 1,000 small pipelined requests (what catalogue sync does).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class PeerTransportBenchmarks
{
    private const int PartBytes = PeerFrameCodec.MaxBlockPartBytes;
    private const int Parts = 32;

    private NodeIdentity _serverIdentity = null!;
    private NodeIdentity _clientIdentity = null!;
    private PeerListener _listener = null!;
    private PeerConnection _client = null!;
    private PeerConnection? _server;

    /// <summary>Block requests in flight at once.</summary>
    [Params(1, 4, 8)]
    public int InFlight { get; set; } = 4;

    // Synchronous hooks: the in-process toolchain (the one usable on a loaded machine) does not await async ones.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var repository = RandomNumberGenerator.GetBytes(32);
        _serverIdentity = NodeIdentity.Create("server");
        _clientIdentity = NodeIdentity.Create("client");
        var serverTransport = new PeerTransport(_serverIdentity, repository, new Trust(_clientIdentity.DeviceId), PeerTransportOptions.Default, NullLogger.Instance);
        var clientTransport = new PeerTransport(_clientIdentity, repository, new Trust(_serverIdentity.DeviceId), PeerTransportOptions.Default, NullLogger.Instance);
        var part = UnsafeByteOperations.UnsafeWrap(RandomNumberGenerator.GetBytes(PartBytes));
        var handler = new PartServer(part);
        var accepted = new TaskCompletionSource<PeerConnection>();
        _listener = serverTransport.Listen(new IPEndPoint(IPAddress.Loopback, 0), connection =>
        {
            connection.Start(handler);
            accepted.TrySetResult(connection);
        });
        _client = await clientTransport.DialAsync(_listener.LocalEndPoint, _serverIdentity.DeviceId, CancellationToken.None);
        _client.Start(handler);
        _server = await accepted.Task;
    }

    /// <summary>64 MiB as 32 parts of 2 MiB, <see cref="InFlight"/> requests at a time.</summary>
    [Benchmark]
    public async Task<long> FetchBlockParts()
    {
        long received = 0;
        var next = 0;
        async Task WorkerAsync()
        {
            while (Interlocked.Increment(ref next) <= Parts)
            {
                var answer = await _client.RequestAsync(new PeerFrame { BlockRequest = new BlockRequest { MaxLength = PartBytes } }, CancellationToken.None);
                Interlocked.Add(ref received, answer.BlockResponse.Sealed.Length);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => WorkerAsync()));
        return received;
    }

    /// <summary>1,000 small requests, all in flight at once.</summary>
    [Benchmark]
    public async Task<int> ThousandSmallRequests()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            _client.RequestAsync(new PeerFrame { OperationsRequest = new OperationsRequest { MaxOperations = (uint)i } }, CancellationToken.None)));
        return answers.Length;
    }

    private async Task CleanupAsync()
    {
        await _client.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _listener.DisposeAsync();
        _serverIdentity.Dispose();
        _clientIdentity.Dispose();
    }

    private sealed class Trust(DeviceId peer) : IPeerTrustPolicy
    {
        public ReadOnlyMemory<byte> ClusterKey => ReadOnlyMemory<byte>.Empty;

        public bool IsPaired(DeviceId device) => device == peer;
    }

    private sealed class PartServer(ByteString part) : IPeerInboundHandler
    {
        private static readonly PeerFrame s_empty = new() { OperationsResponse = new OperationsResponse() };

        public ValueTask<PeerFrame> HandleRequestAsync(IPeerSession session, PeerFrame request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(request.BodyCase == PeerFrame.BodyOneofCase.BlockRequest
                ? new PeerFrame { BlockResponse = new BlockResponse { Sealed = part, TotalLength = (ulong)part.Length } }
                : s_empty.Clone());

        public ValueTask HandleMessageAsync(IPeerSession session, PeerFrame message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn(c => c.Descriptor.WorkloadMethod.Name == nameof(FetchBlockParts) ? (long)Parts * PartBytes : 0,
            "MB/s", 1e6, $"Throughput in 10^6 bytes per second ({Parts} parts of {PartBytes} bytes per operation)"));
    }
}
