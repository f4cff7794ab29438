using System.CommandLine;
using System.Globalization;
using Isg.Actors.Video;
using Isg.Node.Cli.Output;
using Isg.Protocol.Frames;
using Isg.Protocol.Keys;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg encode FILE -o VIDEO [--profile P] [--mode M] [layout and codec overrides] [--encrypt]`: turns a file into an
/// ISGv2 video, and `isg encode --probe CHANNEL [FILE]`: measures a profile through a simulated platform re-encode.
/// Works without a repository.
/// </summary>
public static class EncodeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var file = new Argument<string?>("file") { Description = "The file to encode (with --probe: optional, default random bytes)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--output", "-o") { Description = "The video to write; its extension picks the container (.mkv, .mp4, .webm)" };
        var profile = new Option<string>("--profile")
        {
            Description = "lossless, youtube, dense or paranoid",
            DefaultValueFactory = _ => VideoProfiles.YouTube.Name,
        };
        var mode = new Option<string?>("--mode") { Description = "Override the cells: bw, gray4, rgb or qr" };
        var width = new Option<int?>("--width") { Description = "Frame width in pixels (even)" };
        var height = new Option<int?>("--height") { Description = "Frame height in pixels (even)" };
        var cell = new Option<int?>("--cell") { Description = "Cell edge in pixels, 1..10 (QR: pixels per module)" };
        var bits = new Option<int?>("--bits") { Description = "Bits per colour channel in rgb mode, 1..8" };
        var fps = new Option<double?>("--fps") { Description = "Frames per second" };
        var codec = new Option<string?>("--codec") { Description = "h264, vp9 or ffv1" };
        var crf = new Option<int?>("--crf") { Description = "Constant rate factor of h264 or vp9 (0 = lossless)" };
        var preset = new Option<string?>("--preset") { Description = "x264 preset, e.g. veryfast or medium" };
        var encrypt = new Option<bool>("--encrypt") { Description = $"Encrypt the payload and the file name under a passphrase (${PassphraseReader.EnvironmentVariable} or a prompt)" };
        var probe = new Option<string?>("--probe")
        {
            Description = $"Measure the profile through a simulated platform channel: {string.Join(", ", ReencodeChannels.All.Select(c => c.Name))}",
        };
        var probeBytes = new Option<long>("--probe-bytes") { Description = "Random bytes to probe with when no FILE is given", DefaultValueFactory = _ => 4L << 20 };
        var probeFps = new Option<double?>("--probe-fps") { Description = "Frame rate the simulated platform returns (e.g. 60 from a 30 fps upload)" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var command = new Command("encode", "Turn a file into an ISGv2 video that survives platform re-encoding (works without a repository)")
        {
            file, output, profile, mode, width, height, cell, bits, fps, codec, crf, preset, encrypt, probe, probeBytes, probeFps, json,
        };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var chosen = BuildProfile(parse, profile, mode, width, height, cell, bits, fps, codec, crf, preset);
            var input = parse.GetValue(file);
            if (parse.GetValue(probe) is { } channelName)
            {
                return await ProbeAsync(context, chosen, channelName, input, parse.GetValue(probeBytes), parse.GetValue(probeFps),
                    parse.GetValue(json), cancellationToken).ConfigureAwait(false);
            }

            if (input is null || parse.GetValue(output) is not { } videoPath)
            {
                throw new CliException(ExitCode.Usage, "encode needs FILE and -o VIDEO (or --probe CHANNEL)");
            }

            var passphrase = parse.GetValue(encrypt) ? PassphraseReader.Read(confirm: true, prompt: "Video passphrase: ") : null;
            try
            {
                var request = new VideoEncodeRequest(input, videoPath, chosen, passphrase, Argon2Parameters.Default);
                var result = await VideoProgressRenderer.RunAsync(context.Output, "encoding",
                    progress => VideoFileEncoder.EncodeAsync(request, progress, cancellationToken)).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    context.Output.Json(new
                    {
                        video = Path.GetFullPath(videoPath),
                        profile = chosen.Name,
                        fileBytes = result.FileLength,
                        payloadBytes = result.PayloadLength,
                        dataFrames = result.DataFrames,
                        parityFrames = result.ParityFrames,
                        framesWritten = result.FramesWritten,
                        seconds = result.DurationSeconds,
                        videoBytes = result.VideoBytes,
                        netBytesPerSecond = result.NetBytesPerSecond,
                    });
                }
                else
                {
                    context.Output.Line(
                        $"encoded {ByteSize.Format(result.FileLength)} into {videoPath}: {result.FramesWritten} frames " +
                        $"({result.DataFrames} data, {result.ParityFrames} parity), {result.DurationSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s of video, " +
                        $"{ByteSize.Format(result.VideoBytes)} on disk ({Ratio(result.VideoBytes, result.FileLength)} the file), " +
                        $"{(result.NetBytesPerSecond / 1000).ToString("0.0", CultureInfo.InvariantCulture)} KB of payload per second");
                }
            }
            finally
            {
                if (passphrase is not null)
                {
                    Array.Clear(passphrase);
                }
            }

            return ExitCode.Ok;
        }));
        return command;
    }

    private static VideoProfile BuildProfile(
        ParseResult parse, Option<string> profile, Option<string?> mode, Option<int?> width, Option<int?> height, Option<int?> cell,
        Option<int?> bits, Option<double?> fps, Option<string?> codec, Option<int?> crf, Option<string?> preset)
    {
        VideoProfile chosen;
        try
        {
            chosen = VideoProfiles.Get(parse.GetValue(profile)!);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCode.Usage, e.Message);
        }

        var parameters = chosen.Parameters;
        if (parse.GetValue(mode) is { } modeName)
        {
            var newMode = modeName.ToLowerInvariant() switch
            {
                "bw" => VideoMode.BlackWhite,
                "gray4" or "grey4" => VideoMode.Gray4,
                "rgb" => VideoMode.Rgb,
                "qr" => VideoMode.Qr,
                _ => throw new CliException(ExitCode.Usage, $"unknown mode '{modeName}'; choose bw, gray4, rgb or qr"),
            };
            parameters = parameters with { Mode = newMode, BitsPerChannel = newMode == VideoMode.Rgb && parameters.Mode != VideoMode.Rgb ? 2 : parameters.BitsPerChannel };
        }

        parameters = parameters with
        {
            Width = parse.GetValue(width) ?? parameters.Width,
            Height = parse.GetValue(height) ?? parameters.Height,
            CellSize = parse.GetValue(cell) ?? parameters.CellSize,
            BitsPerChannel = parse.GetValue(bits) ?? parameters.BitsPerChannel,
            FramesPerSecond = parse.GetValue(fps) ?? parameters.FramesPerSecond,
        };
        if (!parameters.TryValidate(out var problem))
        {
            throw new CliException(ExitCode.Usage, problem);
        }

        var encoding = chosen.Encoding with { FramesPerSecond = parameters.FramesPerSecond };
        if (parse.GetValue(codec) is { } codecName)
        {
            encoding = encoding with
            {
                Codec = codecName.ToLowerInvariant() switch
                {
                    "h264" or "x264" => VideoCodec.H264,
                    "vp9" => VideoCodec.Vp9,
                    "ffv1" => VideoCodec.Ffv1,
                    _ => throw new CliException(ExitCode.Usage, $"unknown codec '{codecName}'; choose h264, vp9 or ffv1"),
                },
            };
        }

        encoding = encoding with { Crf = parse.GetValue(crf) ?? encoding.Crf, Preset = parse.GetValue(preset) ?? encoding.Preset };
        var changed = parameters != chosen.Parameters || encoding != chosen.Encoding;
        return chosen with { Name = changed ? chosen.Name + "+custom" : chosen.Name, Parameters = parameters, Encoding = encoding };
    }

    private static async Task<ExitCode> ProbeAsync(
        CommandContext context, VideoProfile profile, string channelName, string? input, long sampleBytes, double? outputFps, bool json,
        CancellationToken cancellationToken)
    {
        ReencodeChannel channel;
        try
        {
            channel = ReencodeChannels.Get(channelName);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCode.Usage, e.Message);
        }

        context.Output.Detail($"probing {profile.Name} through {channel.Name}: {channel.Description}");
        var result = await ChannelProbe.RunAsync(profile, channel, input, sampleBytes, outputFps, cancellationToken).ConfigureAwait(false);
        if (json)
        {
            context.Output.Json(new
            {
                profile = result.Profile,
                channel = result.Channel,
                payloadBytes = result.PayloadBytes,
                videoSeconds = result.VideoSeconds,
                netBytesPerSecond = result.NetBytesPerSecond,
                channelBitsPerSecond = result.ChannelBitsPerSecond,
                rawBitErrorRate = double.IsNaN(result.RawBitErrorRate) ? (double?)null : result.RawBitErrorRate,
                framesRead = result.FramesRead,
                framesDamaged = result.FramesDamaged,
                framesRebuilt = result.FramesRebuilt,
                groupsLost = result.GroupsLost,
                bitExact = result.BitExact,
                failure = result.Failure,
                encodeSeconds = result.EncodeSeconds,
                channelSeconds = result.ChannelSeconds,
                decodeSeconds = result.DecodeSeconds,
            });
        }
        else
        {
            var c = CultureInfo.InvariantCulture;
            context.Output.Line($"{result.Profile} through {result.Channel}: {(result.BitExact ? "bit-exact" : "FAILED: " + result.Failure)}");
            context.Output.Line($"  net payload   {(result.NetBytesPerSecond / 1000).ToString("0.0", c)} KB/s ({ByteSize.Format(result.PayloadBytes)} in {result.VideoSeconds.ToString("0.0", c)} s of video)");
            context.Output.Line($"  channel       {(result.ChannelBitsPerSecond / 1e6).ToString("0.00", c)} Mbit/s returned");
            context.Output.Line($"  raw BER       {result.RawBitErrorRate.ToString("0.###e+0", c)} (before correction)");
            context.Output.Line($"  frames        {result.FramesRead} read, {result.FramesDamaged} beyond the inner code, {result.FramesRebuilt} rebuilt by the outer code, {result.GroupsLost} groups lost");
            context.Output.Line($"  time          encode {result.EncodeSeconds.ToString("0.0", c)} s, channel {result.ChannelSeconds.ToString("0.0", c)} s, decode {result.DecodeSeconds.ToString("0.0", c)} s");
        }

        return result.BitExact ? ExitCode.Ok : ExitCode.DataCorrupt;
    }

    private static string Ratio(long a, long b) => b == 0 ? "-" : (a / (double)b).ToString("0.00x", CultureInfo.InvariantCulture);
}
