using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Queue;
using Isg.Actors.Catalog;
using Isg.Actors.Repositories;
using Isg.Node.Cli.Output;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg backend add TYPE NAME [--SETTING VALUE]... | list [--json] | test NAME | drain [NAME] | remove NAME [--migrate]`:
/// where blocks and parity shards are stored. Credentials (secret settings) are sealed in the catalogue and never printed.
/// </summary>
public static class BackendCommand
{
    private const int ProbeSize = 64 * 1024;

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var add = new Command("add", "Add a backend: isg backend add TYPE NAME [options]");
        foreach (var type in BackendTypes.All)
        {
            add.Subcommands.Add(CreateAdd(options, type));
        }

        return new Command("backend", "Manage the backends blocks are stored on")
        {
            add, CreateList(options), CreateTest(options), CreateDrain(options), CreateRemove(options),
        };
    }

    private static Command CreateAdd(GlobalOptions options, BackendTypeInfo type)
    {
        var name = new Argument<string>("name") { Description = "Backend name (a-z, 0-9, '.', '_', '-')" };
        var command = new Command(type.Type, type.Description) { name };
        var settings = new List<(BackendSetting Setting, Option<string> Option)>();
        foreach (var setting in type.Settings)
        {
            var description = setting.Description
                + (setting.Secret ? $" (secret: give env:VAR or - for stdin, or set {BackendSecretValue.EnvironmentVariable(setting.Name)})" : string.Empty)
                + (setting.Default is null ? string.Empty : $" [default: {setting.Default}]");
            var option = new Option<string>("--" + setting.Name) { Description = description, Required = setting.Required && !setting.Secret };
            command.Options.Add(option);
            settings.Add((setting, option));
        }

        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (setting, option) in settings)
            {
                var value = setting.Secret ? BackendSecretValue.Resolve(setting.Name, parse.GetValue(option), Console.In) : parse.GetValue(option);
                if (value is not null)
                {
                    values[setting.Name] = value;
                }
            }

            using var repository = context.OpenRepository();
            var record = BackendAdministration.Add(repository, type.Type, parse.GetValue(name)!, values);
            context.Output.Line($"added backend {record.Name} ({record.Type}) {Where(record, repository)}"
                + (record.Secrets.Count > 0 ? $"; {record.Secrets.Count} credentials stored encrypted" : string.Empty));
            return Task.FromResult(ExitCode.Ok);
        }));
        return command;
    }

    private static Command CreateList(GlobalOptions options)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List backends: type, health, objects and bytes the catalogue has on each, quota, upload queue") { json };
        list.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            var backends = BackendAdministration.Overview(repository);
            var queues = BackendAdministration.QueueSummaries(repository);
            var now = DateTimeOffset.UtcNow;
            var rows = backends.Select(b =>
            {
                var queue = queues.GetValueOrDefault(b.Backend.Name);
                var quota = repository.Backends.TryGet(b.Backend.Name, out var opened) ? opened.Capabilities.Quota : null;
                return (Overview: b, Queue: queue, Quota: quota, Oldest: queue?.OldestEnqueuedAt is { } at ? now - at : (TimeSpan?)null);
            }).ToList();

            // Health, failures and quota come from what the processes that used each backend persisted (the node's
            // and this command line's), so they show after those processes exit.
            if (parse.GetValue(json))
            {
                context.Output.Json(rows.Select(r => new
                {
                    name = r.Overview.Backend.Name,
                    type = r.Overview.Backend.Type,
                    path = Where(r.Overview.Backend, repository),
                    health = r.Overview.Health,
                    objects = r.Overview.Usage.Objects,
                    bytes = r.Overview.Usage.Bytes,
                    status = r.Overview.Status is not { } status ? null : new
                    {
                        lastSuccessAt = status.LastSuccessAt,
                        lastFailureAt = status.LastFailureAt,
                        lastFailureKind = status.LastFailureKind?.ToString(),
                        lastFailure = status.LastFailure,
                        circuit = status.Circuit.ToString(),
                        calls = status.Calls,
                        failures = status.Failures,
                        bytesUploaded = status.BytesOut,
                        bytesDownloaded = status.BytesIn,
                        updatedAt = status.UpdatedAt,
                    },
                    quota = r.Quota is null && r.Overview.Quota is null ? null : new
                    {
                        unit = r.Overview.Quota?.Unit ?? r.Quota!.Unit,
                        limit = r.Overview.Quota?.Limit ?? r.Quota!.Limit,
                        periodSeconds = r.Quota?.Period?.TotalSeconds,
                        used = r.Overview.Quota?.Used,
                        left = r.Overview.Quota?.Left,
                        resetsAt = r.Overview.Quota?.ResetsAt,
                    },
                    queue = new
                    {
                        objects = r.Queue?.Objects ?? 0,
                        bytes = r.Queue?.Bytes ?? 0,
                        oldestSeconds = r.Oldest is { } age ? Math.Round(age.TotalSeconds, 1) : (double?)null,
                        lastError = r.Queue?.LastError,
                    },
                }).ToArray());
            }
            else
            {
                foreach (var r in rows)
                {
                    var queue = r.Queue is null ? "queue empty"
                        : FormattableString.Invariant($"queue {r.Queue.Objects:N0} ({ByteSize.Format(r.Queue.Bytes)}, oldest {r.Oldest!.Value.TotalSeconds:0} s)");
                    var quota = r.Overview.Quota is { } state
                        ? FormattableString.Invariant($"  quota {state.Left:N0} of {state.Limit:N0} {state.Unit} left")
                        : r.Quota is null ? string.Empty : FormattableString.Invariant($"  quota {r.Quota.Limit:N0} {r.Quota.Unit}");
                    var failure = r.Overview.Status is { LastCallFailed: true, LastFailureKind: { } kind }
                        ? $"  last failure {kind}: {r.Overview.Status.LastFailure}"
                        : string.Empty;
                    context.Output.Data(FormattableString.Invariant(
                        $"{r.Overview.Backend.Name,-16} {r.Overview.Backend.Type,-10} {r.Overview.Health,-8} {r.Overview.Usage.Objects,10:N0} objects {ByteSize.Format(r.Overview.Usage.Bytes),10}  {queue}{quota}{failure}  {Where(r.Overview.Backend, repository)}"));
                }
            }

            return Task.FromResult(ExitCode.Ok);
        }));
        return list;
    }

    private static Command CreateTest(GlobalOptions options)
    {
        var name = new Argument<string>("name") { Description = "Backend name" };
        var test = new Command("test", "Put, read back and delete a random probe object on the backend itself (past its upload queue); report timings") { name };
        test.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            using var repository = context.OpenRepository();
            var backend = repository.Backends.Get(parse.GetValue(name)!);
            var platform = backend is QueuedBackend queued ? queued.Inner : backend;
            var probeName = "isgprobe" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var probe = RandomNumberGenerator.GetBytes((int)Math.Min(ProbeSize, platform.Capabilities.MaxObjectSize));
            var clock = Stopwatch.StartNew();
            string step = "put";
            try
            {
                await platform.PutAsync(probeName, probe, cancellationToken).ConfigureAwait(false);
                await platform.FlushAsync(cancellationToken).ConfigureAwait(false);
                var put = clock.Elapsed;
                step = "get";
                clock.Restart();
                using (var read = await platform.GetAsync(probeName, cancellationToken).ConfigureAwait(false))
                {
                    if (!read.Memory.Span.SequenceEqual(probe))
                    {
                        throw new CliException(ExitCode.StorageError, $"backend {platform.Name}: the probe read back differs from what was written");
                    }
                }

                var get = clock.Elapsed;
                step = "delete";
                clock.Restart();
                await platform.DeleteAsync(probeName, cancellationToken).ConfigureAwait(false);
                var delete = clock.Elapsed;
                context.Output.Line(FormattableString.Invariant(
                    $"backend {platform.Name} ok: put {put.TotalMilliseconds:0.0} ms, get {get.TotalMilliseconds:0.0} ms, delete {delete.TotalMilliseconds:0.0} ms ({ByteSize.Format(probe.Length)} probe)"));
                return ExitCode.Ok;
            }
            catch (Exception e) when (e is not CliException and not OperationCanceledException)
            {
                var kind = e is BackendException b ? b.Kind : platform.Classify(e);
                throw new CliException(ExitCode.StorageError, $"backend {platform.Name} failed the probe at {step} ({kind}): {e.Message}", e);
            }
        }));
        return test;
    }

    private static Command CreateDrain(GlobalOptions options)
    {
        var name = new Argument<string?>("name") { Description = "Backend name (default: every queued backend)", Arity = ArgumentArity.ZeroOrOne };
        var drain = new Command("drain", "Upload everything waiting in the upload queues now, ignoring the retry schedule; fails on the first upload failure") { name };
        drain.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            using var repository = context.OpenRepository();
            var wanted = parse.GetValue(name);
            var queued = repository.Backends.All.OfType<QueuedBackend>().Where(b => wanted is null || b.Name == wanted).ToList();
            if (wanted is not null && queued.Count == 0)
            {
                _ = repository.Backends.Get(wanted);
                context.Output.Line($"backend {wanted} has no upload queue (it is local)");
                return ExitCode.Ok;
            }

            foreach (var backend in queued)
            {
                await backend.DrainAsync(cancellationToken).ConfigureAwait(false);
                context.Output.Line($"backend {backend.Name}: upload queue empty");
            }

            return ExitCode.Ok;
        }));
        return drain;
    }

    private static Command CreateRemove(GlobalOptions options)
    {
        var name = new Argument<string>("name") { Description = "Backend name" };
        var migrate = new Option<bool>("--migrate") { Description = "Copy the blocks it holds the only copy of to other backends first" };
        var remove = new Command("remove",
            "Forget a backend (its folder or platform objects are left alone); refuses while it holds the only copy of a block, unless --migrate")
        {
            name, migrate,
        };
        remove.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            using var repository = context.OpenRepository();
            var report = await BackendAdministration.RemoveAsync(repository, parse.GetValue(name)!, parse.GetValue(migrate), cancellationToken).ConfigureAwait(false);
            context.Output.Line(FormattableString.Invariant(
                $"removed backend {report.Name}: {report.Copied} shards copied and {report.Rebuilt} rebuilt onto other backends, {report.Chunks} chunks forgotten")
                + (report.DroppedParity > 0
                    ? FormattableString.Invariant($", {report.DroppedParity} parity shards dropped (their stripes could not rebuild them)")
                    : string.Empty));
            return ExitCode.Ok;
        }));
        return remove;
    }

    private static string Where(BackendRecord backend, Repository repository) =>
        backend.Type is BackendFactory.LocalType or BackendFactory.VideoType or BackendFactory.TestRemoteType
            ? BackendFactory.LocalPath(backend, repository.Layout.Root)
            : backend.SettingsJson;
}
