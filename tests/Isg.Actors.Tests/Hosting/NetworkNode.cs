using System.Net;
using Isg.Actors.Catalog;
using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Actors.Peers;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Isg.Actors.Runtime;
using Isg.Actors.Sync;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Hosting;

/// <summary>
/// A whole node in this process with its network side on 127.0.0.1 (real sockets, mDNS off, port 0): a repository in
/// its own folder (the first of a cluster creates the key, the others join by copying the descriptor and the wrapped
/// key, as a new device does), a <see cref="StorageNode"/> started with <see cref="NodeNetworkOptions"/>, and its logs.
/// </summary>
internal sealed class NetworkNode : IAsyncDisposable
{
    public const string Secret = "a cluster secret for the tests";

    public static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private TaskCompletionSource _pulled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NetworkNode(string name, TempDirectory directory, RecordingLoggerFactory logs)
    {
        Name = name;
        Directory = directory;
        Logs = logs;
    }

    public string Name { get; }

    public TempDirectory Directory { get; }

    public RecordingLoggerFactory Logs { get; }

    public StorageNode Node { get; private set; } = null!;

    public NodeNetwork Network { get; private set; } = null!;

    public NodeNetworkOptions Options { get; private set; } = null!;

    public Repository Repository => Node.Repository;

    public string Root => Directory.Combine(Name);

    /// <summary>
    /// Starts a node named <paramref name="name"/> in a new folder: the first of a cluster when <paramref name="join"/>
    /// is null, else a device joining <paramref name="join"/>'s repository. <paramref name="prepare"/> runs on the
    /// repository before the node starts (pairing, the cluster secret); <paramref name="configure"/> adjusts the options.
    /// </summary>
    public static async Task<NetworkNode> StartAsync(
        string name,
        NetworkNode? join = null,
        Action<Repository>? prepare = null,
        Func<NodeNetworkOptions, NodeNetworkOptions>? configure = null,
        TimeProvider? timeProvider = null,
        RecordingLoggerFactory? logs = null)
    {
        var node = new NetworkNode(name, new TempDirectory(), logs ?? new RecordingLoggerFactory());
        Repository repository;
        if (join is null)
        {
            repository = TestRepository.Create(node.Directory, name);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Path.Combine(node.Root, "keys"));
            System.IO.Directory.CreateDirectory(Path.Combine(node.Root, "blocks"));
            var from = join.Repository.Layout;
            File.Copy(from.MarkerFile, new RepositoryLayout(node.Root).MarkerFile);
            foreach (var key in System.IO.Directory.GetFiles(from.KeysDirectory))
            {
                File.Copy(key, Path.Combine(node.Root, "keys", Path.GetFileName(key)));
            }

            repository = Repository.Open(node.Root, TestRepository.Passphrase, NullLoggerFactory.Instance);
            TestRepository.UseSmallChunks(repository.Settings);
        }

        // Blocks without parity: what a peer fetches is exactly what the other added.
        repository.Settings.Set(RepositorySettings.RedundancyKey, "0");
        prepare?.Invoke(repository);
        var network = new NodeNetworkOptions
        {
            Peers = new PeersOptions
            {
                ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
                ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
            },
            Mdns = false,
            Sync = new SyncOptions { PullCompleted = _ => node.OnPulled() },
        };
        network = configure?.Invoke(network) ?? network;
        node.Options = network;
        node.Node = StorageNode.Start(repository, node.Logs, new StorageNodeOptions(Workers: 1, Network: network), timeProvider ?? TimeProvider.System);
        node.Network = (await node.Node.GetNetworkAsync(CancellationToken.None).WaitAsync(Within))!;
        return node;
    }

    /// <summary>Sets the shared cluster secret (a <c>prepare</c> step).</summary>
    public static void UseClusterSecret(Repository repository) => PeerAdministration.SetClusterSecret(repository, Secret);

    public async Task<PeersStatus> PeersStatusAsync() =>
        await Network.Peers.AskAsync<IPeersCommand, PeersStatus>(r => new GetPeersStatus(r), Within, CancellationToken.None);

    public async Task<IPEndPoint> ListenAsync() => (await PeersStatusAsync()).ListenEndPoint!;

    /// <summary>A probe subscribed to the peers actor's events (a PeerConnected at once for each connected peer).</summary>
    public TestProbe<PeerEvent> Subscribe()
    {
        var probe = new TestProbe<PeerEvent>(Name + "-events");
        Network.Peers.Tell(new SubscribePeerEvents(probe));
        return probe;
    }

    /// <summary>Writes <paramref name="contents"/> to a file and adds it to the catalogue as <paramref name="catalogPath"/>.</summary>
    public async Task AddAsync(string catalogPath, byte[] contents)
    {
        var local = Directory.Combine("src-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(local, contents);
        await Node.AddAsync([new IngestSource(local, catalogPath)], new IngestOptions(), null, CancellationToken.None).WaitAsync(Within);
    }

    /// <summary>Restores <paramref name="catalogPath"/> (blocks this node lacks are fetched from peers) and returns its bytes.</summary>
    public async Task<byte[]> ReadAsync(string catalogPath)
    {
        var output = Directory.Combine("out-" + Guid.NewGuid().ToString("N"));
        await Node.RestoreAsync(new RestoreRequest(catalogPath, output, Overwrite: false), null, CancellationToken.None).WaitAsync(Within);
        return await File.ReadAllBytesAsync(output);
    }

    public bool HasFile(string catalogPath)
    {
        using var reader = Repository.Catalog.CreateReader();
        return reader.ListFiles(string.Empty).Any(f => f.Path == catalogPath);
    }

    /// <summary>Waits, pull by pull, until <paramref name="done"/> holds; fails after <see cref="Within"/>.</summary>
    public async Task UntilAsync(Func<bool> done)
    {
        using var bound = new CancellationTokenSource(Within);
        while (true)
        {
            Task pulled;
            lock (_gate)
            {
                pulled = _pulled.Task;
            }

            if (done())
            {
                return;
            }

            await pulled.WaitAsync(bound.Token);
        }
    }

    /// <summary>The runtime's reports that the actor at <paramref name="path"/> failed (what its supervisor did with it).</summary>
    public IReadOnlyList<LogEntry> Failures(string path) => [.. Logs.Entries.Where(e => IsFailure(e, path))];

    public static bool IsFailure(LogEntry entry, string path) =>
        entry.Category == "Isg.Actors.Runtime" && entry.Message.StartsWith(path + " failed", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        Directory.Dispose();
    }

    private void OnPulled()
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            done = _pulled;
            _pulled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.SetResult();
    }
}
