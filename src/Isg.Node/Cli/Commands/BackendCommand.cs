using System.CommandLine;
using Isg.Actors.Backends;
using Isg.Node.Cli.Output;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg backend add local NAME --path P | add video NAME --path P [--profile P] [--pack-size N] | list [--json] | remove NAME`:
/// where blocks and parity shards are stored.
/// </summary>
public static class BackendCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var name = new Argument<string>("name") { Description = "Backend name (a-z, 0-9, '.', '_', '-')" };
        var path = new Option<string>("--path") { Description = "Folder to store objects in (created if missing)", Required = true };
        var local = new Command("local", "Add a folder on this machine as a backend") { name, path };
        local.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            var record = BackendAdministration.AddLocal(repository, parse.GetValue(name)!, parse.GetValue(path)!);
            context.Output.Line($"added backend {record.Name} ({record.Type}) at {BackendFactory.LocalPath(record, repository.Layout.Root)}");
            return Task.FromResult(ExitCode.Ok);
        }));

        var videoName = new Argument<string>("name") { Description = "Backend name (a-z, 0-9, '.', '_', '-')" };
        var videoPath = new Option<string>("--path") { Description = "Folder to keep the videos in (created if missing)", Required = true };
        var profile = new Option<string>("--profile")
        {
            Description = $"How videos are encoded: {string.Join(", ", Isg.Actors.Video.VideoProfiles.All.Select(p => p.Name))}",
            DefaultValueFactory = _ => Isg.Actors.Video.VideoProfiles.Lossless.Name,
        };
        var packSize = new Option<long>("--pack-size")
        {
            Description = "Bytes of objects packed into one video",
            DefaultValueFactory = _ => Isg.Actors.Backends.Video.VideoPackingBackendOptions.DefaultPackSize,
        };
        var video = new Command("video", "Add a folder of ISGv2 videos that objects are packed into") { videoName, videoPath, profile, packSize };
        video.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            var record = BackendAdministration.AddVideo(repository, parse.GetValue(videoName)!, parse.GetValue(videoPath)!,
                parse.GetValue(profile)!, parse.GetValue(packSize));
            context.Output.Line($"added backend {record.Name} ({record.Type}) at {BackendFactory.LocalPath(record, repository.Layout.Root)}");
            return Task.FromResult(ExitCode.Ok);
        }));
        var add = new Command("add", "Add a backend") { local, video };

        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List backends with the objects and bytes the catalogue has on each") { json };
        list.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            var backends = BackendAdministration.List(repository);
            string Where(Isg.Actors.Catalog.BackendRecord b) =>
                b.Type is BackendFactory.LocalType or BackendFactory.VideoType ? BackendFactory.LocalPath(b, repository.Layout.Root) : b.SettingsJson;
            if (parse.GetValue(json))
            {
                context.Output.Json(backends.Select(b => new
                {
                    name = b.Backend.Name,
                    type = b.Backend.Type,
                    path = Where(b.Backend),
                    objects = b.Usage.Objects,
                    bytes = b.Usage.Bytes,
                }).ToArray());
            }
            else
            {
                foreach (var (backend, usage) in backends)
                {
                    context.Output.Data(FormattableString.Invariant(
                        $"{backend.Name,-16} {backend.Type,-6} {usage.Objects,10:N0} objects {ByteSize.Format(usage.Bytes),10}  {Where(backend)}"));
                }
            }

            return Task.FromResult(ExitCode.Ok);
        }));

        var removeName = new Argument<string>("name") { Description = "Backend name" };
        var remove = new Command("remove", "Forget a backend that holds nothing (its folder is left alone)") { removeName };
        remove.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            BackendAdministration.Remove(repository, parse.GetValue(removeName)!);
            context.Output.Line($"removed backend {parse.GetValue(removeName)}");
            return Task.FromResult(ExitCode.Ok);
        }));

        return new Command("backend", "Manage the backends blocks are stored on") { add, list, remove };
    }
}
