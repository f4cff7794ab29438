using System.Diagnostics;
using System.Security.Cryptography;
using Isg.Protocol.Keys;

namespace Isg.Actors.Video;

/// <summary>
/// Measures a channel for <c>isg encode --probe</c>: encodes a file (or random bytes) with a profile, passes the
/// video through a <see cref="ReencodeChannel"/> of the simulator, decodes what comes back and compares it with the
/// original. Works in a scratch folder it deletes afterwards.
/// </summary>
public static class ChannelProbe
{
    /// <summary>
    /// Probes <paramref name="channel"/> with <paramref name="profile"/> using <paramref name="inputPath"/>, or
    /// <paramref name="sampleBytes"/> random bytes when it is null; <paramref name="outputFramesPerSecond"/> makes the
    /// channel change the frame rate.
    /// </summary>
    public static async Task<ChannelProbeResult> RunAsync(
        VideoProfile profile, ReencodeChannel channel, string? inputPath, long sampleBytes, double? outputFramesPerSecond,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(channel);
        var scratch = Directory.CreateTempSubdirectory("isg-probe-").FullName;
        try
        {
            var input = inputPath ?? WriteSample(Path.Combine(scratch, "sample.bin"), sampleBytes);
            var master = Path.Combine(scratch, "master." + profile.Encoding.FileExtension);
            var returned = Path.Combine(scratch, "channel.mkv");
            var decoded = Path.Combine(scratch, "decoded.bin");

            var clock = Stopwatch.StartNew();
            var encoded = await VideoFileEncoder.EncodeAsync(
                new VideoEncodeRequest(input, master, profile, null, Argon2Parameters.ForTests), null, cancellationToken).ConfigureAwait(false);
            var encodeSeconds = clock.Elapsed.TotalSeconds;

            clock.Restart();
            await ReencodeSimulator.RunAsync(master, returned, channel, outputFramesPerSecond, cancellationToken).ConfigureAwait(false);
            var channelSeconds = clock.Elapsed.TotalSeconds;

            clock.Restart();
            VideoDecodeStats? stats = null;
            string? failure = null;
            try
            {
                stats = (await VideoFileDecoder.DecodeAsync(new VideoDecodeRequest(returned, decoded, null) { MeasureOnly = true }, null,
                    cancellationToken).ConfigureAwait(false)).Stats;
                if (stats.LostGroups > 0)
                {
                    failure = $"{stats.LostGroups} frame groups could not be rebuilt";
                }
            }
            catch (VideoException e)
            {
                failure = $"{e.Kind}: {e.Message}";
            }

            var decodeSeconds = clock.Elapsed.TotalSeconds;
            var bitExact = stats is not null && await SameBytesAsync(input, decoded, cancellationToken).ConfigureAwait(false);
            return new ChannelProbeResult(profile.Name, channel.Name, encoded.FileLength, encoded.DurationSeconds, encoded.VideoBytes,
                new FileInfo(returned).Length, stats?.RawBitErrorRate ?? double.NaN, stats?.FramesRead ?? 0, stats?.Damaged ?? 0,
                stats?.Rebuilt ?? 0, stats?.LostGroups ?? 0, bitExact && failure is null,
                failure ?? (bitExact ? null : "decoded bytes differ from the original"),
                encodeSeconds, channelSeconds, decodeSeconds);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string WriteSample(string path, long bytes)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var buffer = new byte[1 << 20];
        for (var left = bytes; left > 0; left -= buffer.Length)
        {
            var count = (int)Math.Min(buffer.Length, left);
            RandomNumberGenerator.Fill(buffer.AsSpan(0, count));
            file.Write(buffer, 0, count);
        }

        return path;
    }

    private static async Task<bool> SameBytesAsync(string a, string b, CancellationToken cancellationToken)
    {
        var first = File.OpenRead(a);
        var second = File.OpenRead(b);
        await using (first.ConfigureAwait(false))
        await using (second.ConfigureAwait(false))
        {
            if (first.Length != second.Length)
            {
                return false;
            }

            var left = new byte[1 << 20];
            var right = new byte[1 << 20];
            int read;
            while ((read = await first.ReadAsync(left, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await second.ReadExactlyAsync(right.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                if (!left.AsSpan(0, read).SequenceEqual(right.AsSpan(0, read)))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
