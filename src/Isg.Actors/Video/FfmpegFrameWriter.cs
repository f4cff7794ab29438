using System.Globalization;
using Isg.Protocol.Frames;

namespace Isg.Actors.Video;

/// <summary>
/// Streams raw frames into ffmpeg's stdin (<c>ffmpeg -f rawvideo -pix_fmt gray|rgb24 -s WxH -r F -i - ENCODING -y OUTPUT</c>),
/// which encodes them into the output file as they arrive: nothing is buffered here beyond the pipe.
/// Call <see cref="WriteFrameAsync"/> for each frame, then <see cref="CompleteAsync"/>; disposing without completing
/// kills ffmpeg and leaves whatever it wrote (the caller owns the output path). One caller at a time.
/// </summary>
public sealed class FfmpegFrameWriter : IAsyncDisposable
{
    private readonly ToolProcess _tool;
    private bool _finished;
    private bool _disposed;

    private FfmpegFrameWriter(ToolProcess tool, string outputPath, int width, int height, PixelFormat format, VideoEncoding encoding)
    {
        _tool = tool;
        OutputPath = outputPath;
        Width = width;
        Height = height;
        Format = format;
        Encoding = encoding;
        FrameBytes = checked(width * height * (int)format);
    }

    /// <summary>The file ffmpeg writes.</summary>
    public string OutputPath { get; }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>The raw pixel layout of the frames passed in.</summary>
    public PixelFormat Format { get; }

    /// <summary>How ffmpeg encodes.</summary>
    public VideoEncoding Encoding { get; }

    /// <summary>Bytes of one frame: width × height × bytes per pixel.</summary>
    public int FrameBytes { get; }

    /// <summary>Frames handed to ffmpeg so far.</summary>
    public long FramesWritten { get; private set; }

    /// <summary>For tests: the ffmpeg process.</summary>
    internal ToolProcess Tool => _tool;

    /// <summary>
    /// Starts ffmpeg writing <paramref name="outputPath"/> (overwritten; the muxer comes from
    /// <see cref="VideoEncoding.ContainerFormat"/>, not the extension). Throws <see cref="VideoToolException"/>
    /// (<see cref="VideoToolErrorKind.NotFound"/>) when ffmpeg cannot be started, and
    /// <see cref="ArgumentOutOfRangeException"/> for a bad size or encoding.
    /// </summary>
    public static FfmpegFrameWriter Start(string outputPath, int width, int height, PixelFormat format, VideoEncoding encoding)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        IReadOnlyList<string> encodingArguments = encoding.ToArguments(format);
        List<string> arguments =
        [
            "-hide_banner", "-loglevel", "error", "-nostats",
            "-f", "rawvideo", "-pix_fmt", RawPixelFormat(format),
            "-s", $"{width.ToString(CultureInfo.InvariantCulture)}x{height.ToString(CultureInfo.InvariantCulture)}",
            "-r", encoding.FramesPerSecond.ToString("R", CultureInfo.InvariantCulture),
            "-i", "-",
            "-an",
            .. encodingArguments,
            "-f", encoding.ContainerFormat,
            "-y", VideoProbe.FileUrl(outputPath),
        ];
        var tool = ToolProcess.Start(FfmpegTools.FfmpegPath, arguments, keepStdin: true);
        return new FfmpegFrameWriter(tool, outputPath, width, height, format, encoding);
    }

    /// <summary>
    /// Hands one frame of exactly <see cref="FrameBytes"/> bytes to ffmpeg; completes when the pipe took it. If ffmpeg
    /// has died, waits for it and throws <see cref="VideoToolException"/> (<see cref="VideoToolErrorKind.Failed"/>)
    /// with its stderr tail. Cancellation kills ffmpeg; the writer is then finished.
    /// </summary>
    public ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (frame.Length != FrameBytes)
        {
            throw new ArgumentException($"A frame is {FrameBytes} bytes ({Width}x{Height} {Format}), not {frame.Length}.", nameof(frame));
        }

        if (_finished)
        {
            throw new InvalidOperationException("The writer is completed, failed or cancelled.");
        }

        return WriteCoreAsync(frame, cancellationToken);
    }

    /// <summary>
    /// Closes ffmpeg's stdin and waits for it to finish the file. Throws <see cref="VideoToolException"/>
    /// (<see cref="VideoToolErrorKind.Failed"/>) with the stderr tail on a non-zero exit. Cancellation kills ffmpeg.
    /// Calling it again after success does nothing.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            return;
        }

        _finished = true;
        try
        {
            _tool.CloseInput();
        }
        catch (IOException ex)
        {
            int failedCode = await _tool.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw _tool.Error(VideoToolErrorKind.Failed, $"failed writing {OutputPath}", failedCode, ex);
        }

        int exitCode = await _tool.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw _tool.Error(VideoToolErrorKind.Failed, $"failed writing {OutputPath}", exitCode);
        }
    }

    /// <summary>Kills ffmpeg unless <see cref="CompleteAsync"/> ran, waits for it to exit, and releases it; deletes nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _finished = true;
        await _tool.DisposeAsync().ConfigureAwait(false);
    }

    internal static string RawPixelFormat(PixelFormat format) => format switch
    {
        PixelFormat.Gray8 => "gray",
        PixelFormat.Rgb24 => "rgb24",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown pixel format."),
    };

    private async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            _finished = true;
            await _tool.KillAndWaitAsync().ConfigureAwait(false);
            throw new OperationCanceledException(cancellationToken);
        }

        // Pipe writes may ignore the token; killing ffmpeg makes a blocked write fail at once.
        using CancellationTokenRegistration registration = cancellationToken.Register(static tool => ((ToolProcess)tool!).Kill(), _tool);
        try
        {
            await _tool.Input.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is IOException or OperationCanceledException)
        {
            _finished = true;
            await _tool.KillAndWaitAsync().ConfigureAwait(false);
            throw new OperationCanceledException("Writing frames to ffmpeg was cancelled.", ex, cancellationToken);
        }
        catch (IOException ex)
        {
            // ffmpeg closed its end (it failed, or stopped reading): report why instead of "broken pipe".
            _finished = true;
            int exitCode = await _tool.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw _tool.Error(VideoToolErrorKind.Failed, $"stopped reading frames for {OutputPath}", exitCode, ex);
        }

        FramesWritten++;
    }
}
