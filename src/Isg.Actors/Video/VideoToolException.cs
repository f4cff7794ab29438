namespace Isg.Actors.Video;

/// <summary>An ffmpeg or ffprobe run that failed; carries the kind, the exit code and the end of the tool's stderr.</summary>
public sealed class VideoToolException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> should already quote <paramref name="stderrTail"/> when it helps.</summary>
    public VideoToolException(VideoToolErrorKind kind, string message, string stderrTail, int? exitCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(stderrTail);
        Kind = kind;
        StderrTail = stderrTail;
        ExitCode = exitCode;
    }

    /// <summary>Not installed, failed, or not a video.</summary>
    public VideoToolErrorKind Kind { get; }

    /// <summary>The last few KiB the tool wrote to stderr (empty when it never started or said nothing).</summary>
    public string StderrTail { get; }

    /// <summary>The tool's exit code, or null when it never started or never exited normally.</summary>
    public int? ExitCode { get; }
}
