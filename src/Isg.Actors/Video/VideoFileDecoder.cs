using System.Buffers;
using System.Collections.Concurrent;
using Isg.Actors.Storage;
using Isg.Protocol.Errors;
using Isg.Protocol.Frames;
using Isg.Protocol.Video;

namespace Isg.Actors.Video;

/// <summary>
/// Decodes an ISGv2 video back into its file, reading everything it needs from the video. A first pass reads the
/// opening frames at whatever resolution the video has until a header frame is found; the second pass has ffmpeg
/// scale frames back to the header's geometry, reads them in parallel on a pool of workers, and puts them back in
/// order with a <see cref="FrameGroupAssembler"/>, which drops repeats and rebuilds lost frames. The file is written
/// to a temporary name, checked against the header's length and SHA-256, and only then renamed into place.
/// </summary>
public static class VideoFileDecoder
{
    /// <summary>Frames read from the start while looking for a header before the video is declared not ISGv2.</summary>
    public const int HeaderSearchFrames = 120;

    /// <summary>Decodes <paramref name="request"/>; throws <see cref="VideoException"/> or <see cref="VideoToolException"/> with the cause.</summary>
    public static async Task<VideoDecodeResult> DecodeAsync(
        VideoDecodeRequest request, IProgress<VideoProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!File.Exists(request.InputPath))
        {
            throw new FileNotFoundException($"{request.InputPath}: no such file", request.InputPath);
        }

        var info = await ProbeAsync(request.InputPath, cancellationToken).ConfigureAwait(false);
        var header = await FindHeaderAsync(request.InputPath, cancellationToken).ConfigureAwait(false);
        using var keys = header.IsEncrypted && request.Passphrase is not null
            ? VideoKeys.Derive(request.Passphrase(), header.Salt, header.Kdf!)
            : null;
        if (!header.TryOpenMetadata(keys, out var metadata, out var error))
        {
            throw new VideoException(
                error.Kind == ProtocolErrorKind.WrongPassphrase ? VideoErrorKind.WrongPassphrase : VideoErrorKind.Corrupt, error.Message);
        }

        var parameters = header.Parameters;
        var layout = VideoFileEncoder.CreateLayout(parameters);
        var plan = new VideoPlan(header.PayloadLength, layout.PayloadBytes, parameters.GroupDataFrames, parameters.GroupParityFrames);
        var output = ResolveOutput(request.OutputPath, metadata.Name);
        var directory = Path.GetDirectoryName(output)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(output)}.{Guid.NewGuid():N}.tmp");
        try
        {
            VideoDecodeStats stats;
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            await using (stream.ConfigureAwait(false))
            {
                using var cipher = keys is null ? null : new PayloadCipher(keys, header.StreamTag);
                using var sink = new PayloadSink(stream, metadata, cipher);
                // ffmpeg scales only when the platform changed the size; the header's geometry is what the cells need.
                var scale = info.Width != parameters.Width || info.Height != parameters.Height;
                var reader = await FfmpegFrameReader.StartAsync(request.InputPath, layout.Codec.PixelFormat,
                    scale ? parameters.Width : null, scale ? parameters.Height : null, cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    stats = await new FramePipeline(layout, plan, header.StreamTag, reader, sink, metadata.FileLength, request.MeasureOnly, progress)
                        .RunAsync(cancellationToken).ConfigureAwait(false);
                }

                if (!request.MeasureOnly)
                {
                    sink.Finish();
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, output, overwrite: true);
            NativeFileSystem.FsyncPath(directory);
            return new VideoDecodeResult(output, header, metadata, stats);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Reads the opening frames of <paramref name="path"/> at their own resolution until one is a header frame.</summary>
    public static async Task<VideoHeader> FindHeaderAsync(string path, CancellationToken cancellationToken)
    {
        var reader = await FfmpegFrameReader.StartAsync(path, PixelFormat.Gray8, null, null, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var frame = new byte[reader.FrameBytes];
            ProtocolError? lastError = null;
            for (var i = 0; i < HeaderSearchFrames && await reader.ReadFrameAsync(frame, cancellationToken).ConfigureAwait(false); i++)
            {
                if (HeaderFrame.TryRead(frame, reader.Width, reader.Height, out var header, out var error))
                {
                    return header;
                }

                if (error.Kind != ProtocolErrorKind.BadMagic)
                {
                    lastError = error;
                }
            }

            throw new VideoException(VideoErrorKind.NotIsgVideo, lastError is { } found
                ? $"{path}: its header frame cannot be used: {found.Message}"
                : $"{path}: no ISGv2 header frame in its first {Math.Min(HeaderSearchFrames, reader.FramesRead)} frames: not an Isg video, or its opening was cut");
        }
    }

    private static async Task<VideoInfo> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await VideoProbe.ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (VideoToolException e) when (e.Kind == VideoToolErrorKind.BadVideo)
        {
            throw new VideoException(VideoErrorKind.NotIsgVideo, $"{path}: not a video ({e.Message})", e);
        }
    }

    private static string ResolveOutput(string requested, string storedName)
    {
        if (!Directory.Exists(requested))
        {
            return Path.GetFullPath(requested);
        }

        // The stored name comes from the video, so only its last component is used: it can never climb out.
        var name = Path.GetFileName(storedName);
        return Path.GetFullPath(Path.Combine(requested, name is "" or "." or ".." ? "decoded.bin" : name));
    }

    /// <summary>
    /// Reads frames from ffmpeg, decodes them on the thread pool (codec, then inner code), and feeds the results in
    /// order into the assembler, writing each group out as soon as it is complete.
    /// </summary>
    private sealed class FramePipeline(
        DataFrameLayout layout, VideoPlan plan, uint streamTag, FfmpegFrameReader reader, PayloadSink sink, long fileLength,
        bool measureOnly, IProgress<VideoProgress>? progress)
    {
        private readonly ConcurrentBag<byte[]> _pixelBuffers = [];
        private readonly FrameGroupAssembler _assembler = new(plan);
        private long _framesRead;
        private long _clean;
        private long _corrected;
        private long _damaged;
        private long _foreign;
        private long _bitErrors;
        private long _bitsRead;
        private int _lostGroups;

        public async Task<VideoDecodeStats> RunAsync(CancellationToken cancellationToken)
        {
            await OrderedWork.RunAsync<Decoded>(ProduceAsync, (decoded, _) =>
            {
                try
                {
                    Count(decoded);
                    if (decoded.Status is FrameReadStatus.Clean or FrameReadStatus.Corrected)
                    {
                        _assembler.Offer(decoded.Meta, layout.PayloadOf(decoded.FrameBytes.AsSpan(0, layout.FrameCapacity)));
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(decoded.FrameBytes);
                }

                Drain();
                return ValueTask.CompletedTask;
            }, Environment.ProcessorCount * 2, cancellationToken).ConfigureAwait(false);
            _assembler.Complete();
            Drain();
            return new VideoDecodeStats(_framesRead, _clean, _corrected, _damaged, _foreign, _assembler.Duplicates, _assembler.RebuiltFrames,
                _bitErrors, _bitsRead, _lostGroups);
        }

        private void Count(Decoded decoded)
        {
            _framesRead++;
            switch (decoded.Status)
            {
                case FrameReadStatus.Clean:
                    _clean++;
                    _bitsRead += layout.Code.EncodedBytes * 8L;
                    break;
                case FrameReadStatus.Corrected:
                    _corrected++;
                    _bitErrors += decoded.BitErrors;
                    _bitsRead += layout.Code.EncodedBytes * 8L;
                    break;
                case FrameReadStatus.Damaged:
                    _damaged++;
                    break;
                default:
                    _foreign++;
                    break;
            }
        }

        private void Drain()
        {
            while (true)
            {
                switch (_assembler.TryTakeNext(out var missing))
                {
                    case GroupStatus.Ready:
                        for (var i = 0; i < _assembler.DataFramesInTaken; i++)
                        {
                            sink.Write(_assembler.DataFrame(i));
                        }

                        _assembler.Release();
                        progress?.Report(new VideoProgress(sink.Written, fileLength, _framesRead));
                        break;
                    case GroupStatus.Lost when measureOnly:
                        _lostGroups++;
                        WriteZeros(_assembler.NextGroup);
                        _assembler.Release();
                        break;
                    case GroupStatus.Lost:
                        var group = _assembler.NextGroup;
                        var frames = plan.DataFramesIn(group) + plan.GroupParityFrames;
                        throw new VideoException(VideoErrorKind.Unrecoverable,
                            $"frame group {group + 1} of {plan.Groups} cannot be rebuilt: {missing} of its {frames} frames are missing or " +
                            $"unreadable and at most {plan.GroupParityFrames} may be (the video is truncated or too damaged)");
                    default:
                        return;
                }
            }
        }

        private void WriteZeros(int group)
        {
            var zeros = new byte[plan.FramePayloadBytes];
            var first = plan.FirstFrameOf(group);
            for (var i = 0; i < plan.DataFramesIn(group); i++)
            {
                sink.Write(zeros.AsSpan(0, plan.PayloadLengthOf(first + i)));
            }
        }

        private async Task ProduceAsync(Func<Func<Decoded>, ValueTask> submit, CancellationToken cancellationToken)
        {
            while (true)
            {
                var pixels = _pixelBuffers.TryTake(out var reused) ? reused : new byte[layout.Codec.FrameBytes];
                if (!await reader.ReadFrameAsync(pixels.AsMemory(0, layout.Codec.FrameBytes), cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                var ordinal = reader.FramesRead - 1;
                await submit(() => Decode(pixels, ordinal)).ConfigureAwait(false);
            }
        }

        private Decoded Decode(byte[] pixels, long ordinal)
        {
            var frameBytes = ArrayPool<byte>.Shared.Rent(layout.FrameCapacity);
            try
            {
                var bytes = frameBytes.AsSpan(0, layout.FrameCapacity);
                var frame = pixels.AsSpan(0, layout.Codec.FrameBytes);
                FrameMeta meta = default;
                long bitErrors = 0;
                FrameReadStatus status;
                if (layout.Codec is ISoftFrameCodec soft)
                {
                    var reliability = ArrayPool<byte>.Shared.Rent(layout.FrameCapacity);
                    try
                    {
                        var doubts = reliability.AsSpan(0, layout.FrameCapacity);
                        status = soft.TryDecode(frame, bytes, doubts, out _, out _)
                            ? layout.Read(bytes, doubts, streamTag, out meta, out bitErrors)
                            : FrameReadStatus.Damaged;
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(reliability);
                    }
                }
                else
                {
                    status = layout.Codec.TryDecode(frame, bytes, out _, out _)
                        ? layout.Read(bytes, streamTag, out meta, out bitErrors)
                        : FrameReadStatus.Damaged;
                }
                if (status == FrameReadStatus.Damaged && ordinal < HeaderSearchFrames && IsHeaderFrame(pixels))
                {
                    status = FrameReadStatus.Foreign;
                }

                return new Decoded(frameBytes, status, meta, bitErrors);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(frameBytes);
                throw;
            }
            finally
            {
                _pixelBuffers.Add(pixels);
            }
        }

        // The header frames open the video and fail as data frames; they are not damage, so they count as foreign.
        private bool IsHeaderFrame(byte[] pixels)
        {
            var codec = layout.Codec;
            var gray = new byte[codec.Width * codec.Height];
            var step = (int)codec.PixelFormat;
            for (var i = 0; i < gray.Length; i++)
            {
                gray[i] = pixels[i * step];
            }

            return HeaderFrame.TryRead(gray, codec.Width, codec.Height, out var header, out _) && header.StreamTag == streamTag;
        }

        private sealed record Decoded(byte[] FrameBytes, FrameReadStatus Status, FrameMeta Meta, long BitErrors);
    }
}
