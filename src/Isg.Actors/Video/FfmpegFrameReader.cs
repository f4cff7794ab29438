using System.Globalization;
using Isg.Protocol.Frames;

namespace Isg.Actors.Video;

/// <summary>
/// Streams decoded frames out of ffmpeg's stdout
/// (<c>ffmpeg -i INPUT [-vf scale=W:H:flags=bicubic] -fps_mode passthrough -an -f rawvideo -pix_fmt gray|rgb24 -</c>),
/// one caller-supplied buffer at a time: nothing is buffered here beyond the pipe. Every decoded frame comes out once,
/// in order (no frame-rate conversion). Disposing before the end kills ffmpeg quietly. One caller at a time.
/// </summary>
public sealed class FfmpegFrameReader : IAsyncDisposable
{
    // ffmpeg's exit code when more frames failed to decode than -max_error_rate allows (by default two thirds).
    private const int TooManyDecodingErrorsExitCode = 69;

    private readonly ToolProcess _tool;
    private bool _ended;
    private bool _disposed;

    private FfmpegFrameReader(ToolProcess tool, string inputPath, int width, int height, PixelFormat format)
    {
        _tool = tool;
        InputPath = inputPath;
        Width = width;
        Height = height;
        Format = format;
        FrameBytes = checked(width * height * (int)format);
    }

    /// <summary>The file ffmpeg decodes.</summary>
    public string InputPath { get; }

    /// <summary>Width in pixels of the frames handed out (the scale size, or the video's own).</summary>
    public int Width { get; }

    /// <summary>Height in pixels of the frames handed out.</summary>
    public int Height { get; }

    /// <summary>The raw pixel layout of the frames handed out.</summary>
    public PixelFormat Format { get; }

    /// <summary>Bytes of one frame: width × height × bytes per pixel.</summary>
    public int FrameBytes { get; }

    /// <summary>Whole frames handed out so far.</summary>
    public long FramesRead { get; private set; }

    /// <summary>Trailing bytes at the end of the stream too short for a frame (0 or 1: ffmpeg died mid-frame).</summary>
    public long PartialFramesDropped { get; private set; }

    /// <summary>For tests: the ffmpeg process.</summary>
    internal ToolProcess Tool => _tool;

    /// <summary>
    /// Starts decoding <paramref name="inputPath"/>. With a scale size, frames are resized to it (bicubic);
    /// without one, ffprobe is run first, blocking, to learn the video's size (prefer <see cref="StartAsync"/> in async
    /// code). Throws <see cref="VideoToolException"/> (NotFound when ffmpeg or ffprobe is missing, BadVideo when
    /// probing finds no video) and <see cref="ArgumentException"/> when only one of the scale sizes is given.
    /// </summary>
    public static FfmpegFrameReader Start(string inputPath, PixelFormat format, int? scaleWidth = null, int? scaleHeight = null)
    {
        CheckArguments(inputPath, format, scaleWidth, scaleHeight);
        if (scaleWidth is int width && scaleHeight is int height)
        {
            return StartCore(inputPath, format, width, height, scale: true);
        }

        VideoInfo info = VideoProbe.Probe(inputPath);
        return StartCore(inputPath, format, info.Width, info.Height, scale: false);
    }

    /// <summary>As <see cref="Start"/>, probing asynchronously when no scale size is given.</summary>
    public static async Task<FfmpegFrameReader> StartAsync(
        string inputPath, PixelFormat format, int? scaleWidth, int? scaleHeight, CancellationToken cancellationToken)
    {
        CheckArguments(inputPath, format, scaleWidth, scaleHeight);
        if (scaleWidth is int width && scaleHeight is int height)
        {
            return StartCore(inputPath, format, width, height, scale: true);
        }

        VideoInfo info = await VideoProbe.ProbeAsync(inputPath, cancellationToken).ConfigureAwait(false);
        return StartCore(inputPath, format, info.Width, info.Height, scale: false);
    }

    /// <summary>
    /// Fills the first <see cref="FrameBytes"/> bytes of <paramref name="frame"/> with the next frame and returns true,
    /// or returns false at the end (a trailing partial frame is dropped and counted in <see cref="PartialFramesDropped"/>).
    /// At the end, a non-zero exit of ffmpeg throws <see cref="VideoToolException"/> with its stderr tail:
    /// <see cref="VideoToolErrorKind.BadVideo"/> when ffmpeg says most frames failed to decode (the video is damaged, and
    /// decoding it again gives the same), <see cref="VideoToolErrorKind.Failed"/> otherwise. Cancellation kills ffmpeg and waits for it; the reader is then at its end.
    /// </summary>
    public ValueTask<bool> ReadFrameAsync(Memory<byte> frame, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (frame.Length < FrameBytes)
        {
            throw new ArgumentException($"A frame is {FrameBytes} bytes ({Width}x{Height} {Format}); the buffer has {frame.Length}.", nameof(frame));
        }

        if (_ended)
        {
            return ValueTask.FromResult(false);
        }

        return ReadCoreAsync(frame[..FrameBytes], cancellationToken);
    }

    /// <summary>Kills ffmpeg if it is still decoding, waits for it to exit, and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _ended = true;
        await _tool.DisposeAsync().ConfigureAwait(false);
    }

    private static void CheckArguments(string inputPath, PixelFormat format, int? scaleWidth, int? scaleHeight)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        _ = FfmpegFrameWriter.RawPixelFormat(format);
        if (scaleWidth.HasValue != scaleHeight.HasValue)
        {
            throw new ArgumentException("Give both the scale width and height, or neither.", nameof(scaleHeight));
        }

        if (scaleWidth is int width && scaleHeight is int height)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width, nameof(scaleWidth));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height, nameof(scaleHeight));
        }
    }

    private static FfmpegFrameReader StartCore(string inputPath, PixelFormat format, int width, int height, bool scale)
    {
        List<string> arguments = ["-hide_banner", "-loglevel", "error", "-nostats", "-nostdin", "-i", VideoProbe.FileUrl(inputPath), "-map", "0:v:0"];
        if (scale)
        {
            arguments.AddRange(["-vf", string.Create(CultureInfo.InvariantCulture, $"scale={width}:{height}:flags=bicubic")]);
        }

        arguments.AddRange(["-fps_mode", "passthrough", "-an", "-sn", "-dn", "-f", "rawvideo", "-pix_fmt", FfmpegFrameWriter.RawPixelFormat(format), "-"]);
        var tool = ToolProcess.Start(FfmpegTools.FfmpegPath, arguments, keepStdin: false);
        return new FfmpegFrameReader(tool, inputPath, width, height, format);
    }

    private async ValueTask<bool> ReadCoreAsync(Memory<byte> frame, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            await CancelAsync().ConfigureAwait(false);
            throw new OperationCanceledException(cancellationToken);
        }

        int read;
        // Pipe reads may ignore the token; killing ffmpeg ends a blocked read at once.
        using (cancellationToken.Register(static tool => ((ToolProcess)tool!).Kill(), _tool))
        {
            try
            {
                read = await _tool.Output.ReadAtLeastAsync(frame, frame.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is IOException or OperationCanceledException)
            {
                await CancelAsync().ConfigureAwait(false);
                throw new OperationCanceledException("Reading frames from ffmpeg was cancelled.", ex, cancellationToken);
            }
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // The kill may have cut the read short: that is a cancellation, not a damaged video.
            await CancelAsync().ConfigureAwait(false);
            throw new OperationCanceledException(cancellationToken);
        }

        if (read == frame.Length)
        {
            FramesRead++;
            return true;
        }

        _ended = true;
        if (read > 0)
        {
            PartialFramesDropped++;
        }

        int exitCode = await _tool.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (exitCode == TooManyDecodingErrorsExitCode)
        {
            throw _tool.Error(VideoToolErrorKind.BadVideo, $"could not decode most frames of {InputPath} (read {FramesRead}): the video is damaged", exitCode);
        }

        if (exitCode != 0)
        {
            throw _tool.Error(VideoToolErrorKind.Failed, $"failed decoding {InputPath} after {FramesRead} frames", exitCode);
        }

        return false;
    }

    private async Task CancelAsync()
    {
        _ended = true;
        await _tool.KillAndWaitAsync().ConfigureAwait(false);
    }
}
