using System.CommandLine;
using Isg.Actors.Repositories;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg config get|set|list`: repository settings (compression, cipher, chunker sizes).</summary>
public static class ConfigCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var getKey = new Argument<string>("key") { Description = "Setting name" };
        var get = new Command("get", "Print a setting") { getKey };
        get.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            var key = parse.GetValue(getKey)!;
            context.Output.Data(repository.Settings.Get(key));
            return Task.FromResult(ExitCode.Ok);
        }));

        var setKey = new Argument<string>("key") { Description = "Setting name" };
        var setValue = new Argument<string>("value") { Description = "New value" };
        var set = new Command("set", "Change a setting") { setKey, setValue };
        set.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            var key = parse.GetValue(setKey)!;
            repository.Settings.Set(key, parse.GetValue(setValue)!);
            context.Output.Line($"{key} = {repository.Settings.Get(key)}");
            return Task.FromResult(ExitCode.Ok);
        }));

        var list = new Command("list", "Print every setting");
        list.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            foreach (var key in RepositorySettings.Keys)
            {
                context.Output.Data($"{key} = {repository.Settings.Get(key)}");
            }

            return Task.FromResult(ExitCode.Ok);
        }));

        return new Command("config", "Read or change repository settings") { get, set, list };
    }
}
