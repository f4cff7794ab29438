using System.Globalization;

namespace Isg.Actors.Video;

/// <summary>Runs a video through a <see cref="ReencodeChannel"/>, as a platform would after an upload.</summary>
public static class ReencodeSimulator
{
    /// <summary>
    /// Re-encodes the first video stream of <paramref name="input"/> into <paramref name="output"/> (overwritten; muxer
    /// from the channel) through <paramref name="channel"/>, dropping audio. With <paramref name="outputFramesPerSecond"/>,
    /// ffmpeg's fps filter changes the rate as a platform does: a higher rate duplicates frames, a lower one drops them.
    /// Throws <see cref="FileNotFoundException"/> for a missing input, <see cref="VideoToolException"/> (NotFound or
    /// Failed with the stderr tail); cancellation kills ffmpeg and leaves a partial output (the caller owns the path).
    /// </summary>
    public static async Task RunAsync(string input, string output, ReencodeChannel channel, double? outputFramesPerSecond, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentNullException.ThrowIfNull(channel);
        if (outputFramesPerSecond is double rate && (!double.IsFinite(rate) || rate <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(outputFramesPerSecond), rate, "The frame rate must be positive.");
        }

        if (!File.Exists(input))
        {
            throw new FileNotFoundException($"No video file at {input}.", input);
        }

        cancellationToken.ThrowIfCancellationRequested();
        ToolProcess tool = ToolProcess.Start(FfmpegTools.FfmpegPath, Arguments(input, output, channel, outputFramesPerSecond), keepStdin: false);
        await using var toolScope = tool.ConfigureAwait(false);
        int exitCode = await tool.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw tool.Error(VideoToolErrorKind.Failed, $"failed re-encoding {input} through '{channel.Name}'", exitCode);
        }
    }

    internal static List<string> Arguments(string input, string output, ReencodeChannel channel, double? outputFramesPerSecond)
    {
        List<string> arguments = ["-hide_banner", "-loglevel", "error", "-nostats", "-nostdin", "-i", VideoProbe.FileUrl(input), "-map", "0:v:0", "-an", "-sn", "-dn"];
        List<string> filters = [];
        if (outputFramesPerSecond is double rate)
        {
            // Before scaling, so dropped frames are never scaled.
            filters.Add("fps=" + rate.ToString("R", CultureInfo.InvariantCulture));
        }

        if (channel.ScaleWidth is int width && channel.ScaleHeight is int height)
        {
            filters.Add(string.Create(CultureInfo.InvariantCulture, $"scale={width}:{height}:flags=bicubic"));
        }

        if (filters.Count > 0)
        {
            arguments.AddRange(["-vf", string.Join(',', filters)]);
        }

        arguments.AddRange(channel.OutputArguments);
        arguments.AddRange(["-f", channel.ContainerFormat, "-y", VideoProbe.FileUrl(output)]);
        return arguments;
    }
}
