using System.Collections.Concurrent;
using System.Security.Cryptography;
using Isg.Actors.Storage;
using Isg.Protocol.Erasure;
using Isg.Protocol.Frames;
using Isg.Protocol.Video;

namespace Isg.Actors.Video;

/// <summary>
/// Encodes a file into an ISGv2 video: header frames, then the payload in data frames with outer parity frames per
/// group, rendered in parallel by a pool of workers and streamed in order into ffmpeg. Memory is bounded: two
/// groups of frame payloads and a few rendered frames are alive at a time, whatever the file's size. The video is
/// written to a temporary file and renamed into place once ffmpeg has finished and it is flushed to disk.
/// </summary>
public static class VideoFileEncoder
{
    /// <summary>Encodes <paramref name="request"/>; throws <see cref="VideoException"/> or <see cref="VideoToolException"/> with the cause.</summary>
    public static async Task<VideoEncodeResult> EncodeAsync(
        VideoEncodeRequest request, IProgress<VideoProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var profile = request.Profile;
        var parameters = profile.Parameters;
        if (!parameters.TryValidate(out var problem))
        {
            throw new VideoException(VideoErrorKind.BadInput, problem);
        }

        var extension = Path.GetExtension(request.OutputPath);
        if (extension.Length == 0)
        {
            throw new VideoException(VideoErrorKind.BadInput, $"{request.OutputPath}: give the video an extension (.{profile.Encoding.FileExtension}) so ffmpeg knows its container");
        }

        var layout = CreateLayout(parameters);
        var (fileLength, sha256) = await HashFileAsync(request.InputPath, cancellationToken).ConfigureAwait(false);
        var metadata = new VideoMetadata(fileLength, sha256, request.Name ?? Path.GetFileName(request.InputPath));
        try
        {
            metadata.Validate();
        }
        catch (ArgumentException e)
        {
            throw new VideoException(VideoErrorKind.BadInput, e.Message, e);
        }

        var streamTag = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
        var salt = request.Passphrase is null ? [] : RandomNumberGenerator.GetBytes(VideoKeys.SaltLength);
        using var keys = request.Passphrase is null ? null : VideoKeys.Derive(request.Passphrase, salt, request.Kdf);
        using var cipher = keys is null ? null : new PayloadCipher(keys, streamTag);
        using var input = new FileStream(request.InputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var source = new PayloadSource(input, fileLength, cipher);
        var plan = new VideoPlan(source.Length, layout.PayloadBytes, parameters.GroupDataFrames, parameters.GroupParityFrames);
        var header = VideoHeader.Create(parameters, streamTag, source.Length, metadata, keys, keys is null ? null : request.Kdf, salt);

        var output = Path.GetFullPath(request.OutputPath);
        var directory = Path.GetDirectoryName(output)!;
        var temp = Path.Combine(directory, $".{Path.GetFileNameWithoutExtension(output)}.{Guid.NewGuid():N}.tmp{extension}");
        try
        {
            long framesWritten;
            var writer = FfmpegFrameWriter.Start(temp, parameters.Width, parameters.Height, layout.Codec.PixelFormat, profile.Encoding);
            await using (writer.ConfigureAwait(false))
            {
                framesWritten = await WriteHeaderFramesAsync(writer, header, profile, layout.Codec, cancellationToken).ConfigureAwait(false);
                framesWritten += await new FramePipeline(layout, plan, source, writer, parameters.Repeat, streamTag, progress)
                    .RunAsync(cancellationToken).ConfigureAwait(false);
                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            source.VerifyUnchanged(sha256);
            using (var written = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite))
            {
                written.Flush(flushToDisk: true);
            }

            File.Move(temp, output, overwrite: true);
            NativeFileSystem.FsyncPath(directory);
            return new VideoEncodeResult(fileLength, plan.PayloadLength, plan.DataFrames, plan.TotalFrames - plan.DataFrames,
                framesWritten, profile.DurationSeconds(plan.TotalFrames), new FileInfo(output).Length);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The data frame layout of <paramref name="parameters"/>, or <see cref="VideoException"/> when they do not fit.</summary>
    internal static DataFrameLayout CreateLayout(VideoParameters parameters)
    {
        try
        {
            return new DataFrameLayout(parameters.CreateCodec(), parameters.Mode, parameters.BitsPerChannel, parameters.InnerParity);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new VideoException(VideoErrorKind.BadInput, $"these video parameters do not fit: {e.Message}", e);
        }
    }

    private static async Task<(long Length, byte[] Sha256)> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return (stream.Length, hash);
        }
    }

    private static async Task<long> WriteHeaderFramesAsync(
        FfmpegFrameWriter writer, VideoHeader header, VideoProfile profile, IFrameCodec codec, CancellationToken cancellationToken)
    {
        var width = profile.Parameters.Width;
        var height = profile.Parameters.Height;
        var gray = new byte[width * height];
        HeaderFrame.Render(header, width, height, gray);
        var pixels = codec.PixelFormat == PixelFormat.Gray8 ? gray : ExpandToRgb(gray);
        var copies = profile.HeaderRepeats * profile.Parameters.Repeat;
        for (var i = 0; i < copies; i++)
        {
            await writer.WriteFrameAsync(pixels, cancellationToken).ConfigureAwait(false);
        }

        return copies;
    }

    private static byte[] ExpandToRgb(byte[] gray)
    {
        var rgb = new byte[gray.Length * 3];
        for (var i = 0; i < gray.Length; i++)
        {
            rgb[3 * i] = rgb[(3 * i) + 1] = rgb[(3 * i) + 2] = gray[i];
        }

        return rgb;
    }

    /// <summary>
    /// Reads the payload a group at a time, computes the group's parity, renders its frames on the thread pool and
    /// writes them to ffmpeg in order. A bounded channel of render tasks keeps workers ahead of ffmpeg without
    /// letting them run away; two group buffers alternate so the next group is read while this one is written.
    /// </summary>
    private sealed class FramePipeline(
        DataFrameLayout layout, VideoPlan plan, PayloadSource source, FfmpegFrameWriter writer, int repeat, uint streamTag,
        IProgress<VideoProgress>? progress)
    {
        private const int GroupBuffers = 2;

        private readonly ConcurrentBag<byte[]> _pixelBuffers = [];
        private readonly ConcurrentStack<byte[]> _groupBuffers = new();
        private readonly SemaphoreSlim _groupSlots = new(GroupBuffers);
        private readonly Dictionary<int, ReedSolomonCodec> _codecs = [];

        public async Task<long> RunAsync(CancellationToken cancellationToken)
        {
            long frames = 0;
            long bytes = 0;
            await OrderedWork.RunAsync<Rendered>(ProduceAsync, async (rendered, token) =>
            {
                for (var copy = 0; copy < repeat; copy++)
                {
                    await writer.WriteFrameAsync(rendered.Pixels.AsMemory(0, layout.Codec.FrameBytes), token).ConfigureAwait(false);
                }

                frames += repeat;
                _pixelBuffers.Add(rendered.Pixels);
                bytes += rendered.PayloadBytes;
                if (rendered.GroupDone is { } group)
                {
                    _groupBuffers.Push(group);
                    _groupSlots.Release();
                }

                progress?.Report(new VideoProgress(bytes, plan.PayloadLength, frames));
            }, Environment.ProcessorCount * 2, cancellationToken).ConfigureAwait(false);
            return frames;
        }

        private async Task ProduceAsync(Func<Func<Rendered>, ValueTask> submit, CancellationToken cancellationToken)
        {
            var framePayload = plan.FramePayloadBytes;
            for (var group = 0; group < plan.Groups; group++)
            {
                await _groupSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
                var buffer = _groupBuffers.TryPop(out var spare)
                    ? spare
                    : new byte[(plan.GroupDataFrames + plan.GroupParityFrames) * framePayload];
                var k = plan.DataFramesIn(group);
                var first = plan.FirstFrameOf(group);
                for (var i = 0; i < k; i++)
                {
                    var slice = buffer.AsSpan(i * framePayload, framePayload);
                    var filled = source.Fill(slice);
                    if (filled != plan.PayloadLengthOf(first + i))
                    {
                        throw new VideoException(VideoErrorKind.BadInput, "the file shrank while it was being encoded");
                    }

                    slice[filled..].Clear();
                }

                ComputeParity(buffer, k);
                var frames = k + plan.GroupParityFrames;
                for (var position = 0; position < frames; position++)
                {
                    var index = first + position;
                    var isData = position < k;
                    var meta = new FrameMeta(isData ? FrameKind.Data : FrameKind.Parity, streamTag, index, isData ? plan.PayloadLengthOf(index) : framePayload);
                    var done = position == frames - 1 ? buffer : null;
                    var offset = position * framePayload;
                    await submit(() => Render(meta, buffer, offset, done)).ConfigureAwait(false);
                }
            }
        }

        private void ComputeParity(byte[] buffer, int k)
        {
            var m = plan.GroupParityFrames;
            if (m == 0)
            {
                return;
            }

            if (!_codecs.TryGetValue(k, out var codec))
            {
                codec = ReedSolomonCodec.Create(k, m);
                _codecs[k] = codec;
            }

            var size = plan.FramePayloadBytes;
            var data = new ReadOnlyMemory<byte>[k];
            var parity = new Memory<byte>[m];
            for (var i = 0; i < k; i++)
            {
                data[i] = buffer.AsMemory(i * size, size);
            }

            for (var j = 0; j < m; j++)
            {
                parity[j] = buffer.AsMemory((k + j) * size, size);
            }

            codec.Encode(data, parity);
        }

        private Rendered Render(FrameMeta meta, byte[] group, int offset, byte[]? groupDone)
        {
            var frameBytes = System.Buffers.ArrayPool<byte>.Shared.Rent(layout.FrameCapacity);
            try
            {
                layout.Compose(meta, group.AsSpan(offset, meta.PayloadLength), frameBytes.AsSpan(0, layout.FrameCapacity));
                var pixels = _pixelBuffers.TryTake(out var reused) ? reused : new byte[layout.Codec.FrameBytes];
                layout.Codec.Encode(frameBytes.AsSpan(0, layout.FrameCapacity), pixels.AsSpan(0, layout.Codec.FrameBytes));
                return new Rendered(pixels, meta.Kind == FrameKind.Data ? meta.PayloadLength : 0, groupDone);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(frameBytes);
            }
        }

        private sealed record Rendered(byte[] Pixels, int PayloadBytes, byte[]? GroupDone);
    }
}
