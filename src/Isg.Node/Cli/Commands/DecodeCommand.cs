using System.CommandLine;
using System.Globalization;
using Isg.Actors.Video;
using Isg.Node.Cli.Output;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg decode VIDEO -o FILE|DIR [--json]`: rebuilds the file an ISGv2 video carries; needs no repository.</summary>
public static class DecodeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var video = new Argument<string>("video") { Description = "The ISGv2 video to read" };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where the file goes: a path, or an existing directory (the video's stored file name is used)",
            DefaultValueFactory = _ => ".",
        };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var command = new Command("decode", "Rebuild the file an ISGv2 video carries (works without a repository)") { video, output, json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var request = new VideoDecodeRequest(parse.GetValue(video)!, parse.GetValue(output)!,
                () => PassphraseReader.Read(confirm: false, prompt: "Video passphrase: "));
            var result = await VideoProgressRenderer.RunAsync(context.Output, "decoding",
                progress => VideoFileDecoder.DecodeAsync(request, progress, cancellationToken)).ConfigureAwait(false);
            var stats = result.Stats;
            if (parse.GetValue(json))
            {
                context.Output.Json(new
                {
                    output = result.OutputPath,
                    name = result.Metadata.Name,
                    bytes = result.Metadata.FileLength,
                    sha256 = Convert.ToHexStringLower(result.Metadata.Sha256),
                    encrypted = result.Header.IsEncrypted,
                    mode = result.Header.Parameters.Mode.ToString(),
                    frames = new
                    {
                        read = stats.FramesRead,
                        clean = stats.Clean,
                        corrected = stats.Corrected,
                        damaged = stats.Damaged,
                        foreign = stats.Foreign,
                        duplicates = stats.Duplicates,
                        rebuilt = stats.Rebuilt,
                    },
                    rawBitErrorRate = stats.RawBitErrorRate,
                });
            }
            else
            {
                context.Output.Line(
                    $"decoded {result.Metadata.Name} ({ByteSize.Format(result.Metadata.FileLength)}) to {result.OutputPath}: SHA-256 verified; " +
                    $"{stats.FramesRead} frames read, {stats.Corrected} corrected, {stats.Damaged} unreadable, {stats.Rebuilt} rebuilt, " +
                    $"raw bit error rate {stats.RawBitErrorRate.ToString("0.###e+0", CultureInfo.InvariantCulture)}");
            }

            return ExitCode.Ok;
        }));
        return command;
    }
}
