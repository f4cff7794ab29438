using System.Net;
using Isg.Actors.Backends.Local;
using Isg.Actors.Healing;
using Isg.Actors.Peers;
using Isg.Actors.Peers.Transport;
using Isg.Actors.Runtime;
using Isg.Actors.Hosting;
using Isg.Actors.Repositories;
using Isg.Node.Cli;
using Isg.Node.Http;
using Isg.Protocol.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Isg.Node.Hosting;

/// <summary>
/// The long-running node: opens (or on first use creates) the repository, starts the actor tree and serves
/// the HTTP API and dashboard on the given endpoint until cancelled.
/// </summary>
public static class NodeHost
{
    /// <summary>Runs until <paramref name="cancellationToken"/> fires (Ctrl-C or SIGTERM).</summary>
    public static async Task RunAsync(CommandContext context, IPEndPoint endpoint, NodeNetworkOptions network, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(endpoint);
        // Before the repository opens (its key derivation, the catalogue): the first peer handshake then finds TLS ready.
        _ = TlsWarmup.Start(new RepositoryLayout(context.RepositoryPath).IdentityDirectory);
        var repository = OpenOrCreate(context);
        using var nodeLock = NodeLock.TryTake(repository.Layout);
        if (nodeLock is null)
        {
            repository.Dispose();
            throw new CliException(ExitCode.CatalogDamaged, $"another node is already running on {context.RepositoryPath}");
        }

        // A long-running node writes blocks for peers and rarely reads them back: past the page cache (see TryUseDirectIo),
        // except the blocks it serves to peers, which other peers are likely to ask for next.
        foreach (var local in repository.Backends.All.OfType<LocalBlockStore>())
        {
            local.TryUseDirectIo();
        }

        // The node's healer scrubs and repairs on its own (every scrub.interval) and takes repair requests.
        var node = StorageNode.Start(repository, context.LoggerFactory, new StorageNodeOptions(Healer: new HealerOptions(Periodic: true), Network: network));
        await using var nodeScope = node.ConfigureAwait(false);
        var token = ApiToken.LoadOrCreate(repository.Layout.ApiTokenFile);

        // The defaults would make the current directory the content root and watch it, recursively, for appsettings
        // changes: a node started in a home directory would put an inotify watch on every folder below it (its
        // repository included) and wake on every block it writes. The node reads no settings files and serves its
        // dashboard from the assembly, so the root is the program's folder and nothing is watched.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(context.LoggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        var app = builder.Build();
        await using var appScope = app.ConfigureAwait(false);
        ApiEndpoints.Map(app, node, token, context.LoggerFactory.CreateLogger("Isg.Node.Http"));
        GatewayEndpoints.Map(app, node, context.LoggerFactory.CreateLogger("Isg.Node.Gateway"));
        var peers = await node.GetNetworkAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the node started without its network actors");
        PeerEndpoints.Map(app, peers.Peers, repository.Catalog);
        SyncEndpoints.Map(app, node);
        AddEndpoints.Map(app, node);
        FetchEndpoints.Map(app, node);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        NodeEndpointFile.Write(repository.Layout, endpoint);
        context.Output.Line($"node {repository.Id} serving http://{endpoint} (repository {repository.Layout.Root})");
        context.Output.Line($"API token for writes and remote reads: {repository.Layout.ApiTokenFile}");
        // Stop on Ctrl-C or SIGTERM (the CLI's token) and also when the web host itself is told to stop. The API
        // answers from here on, so a stop from here on is a clean one (exit 0), even before the line below is out.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
        try
        {
            var listening = await peers.Peers.AskAsync<IPeersCommand, PeersStatus>(r => new GetPeersStatus(r), TimeSpan.FromSeconds(30), stop.Token)
                .ConfigureAwait(false);
            context.Output.Line(listening.ListenEndPoint is { } peerEndpoint
                ? $"device {peers.Device} listening for peers on {peerEndpoint}"
                : $"device {peers.Device} (not listening for peers)");
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            context.Output.Line("stopping node");
        }

        NodeEndpointFile.Delete(repository.Layout);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static Repository OpenOrCreate(CommandContext context)
    {
        if (Repository.Exists(context.RepositoryPath))
        {
            return context.OpenRepository();
        }

        context.Output.Line($"no repository at {context.RepositoryPath}: creating one");
        return context.InitializeRepository(context.RepositoryPath, Argon2Parameters.Default);
    }
}
