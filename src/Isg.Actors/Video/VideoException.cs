namespace Isg.Actors.Video;

/// <summary>A typed failure of <see cref="VideoFileEncoder"/> or <see cref="VideoFileDecoder"/>; the message names the cause.</summary>
public sealed class VideoException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VideoException(VideoErrorKind kind, string message)
        : base(message) => Kind = kind;

    /// <summary>Creates the exception with its cause.</summary>
    public VideoException(VideoErrorKind kind, string message, Exception inner)
        : base(message, inner) => Kind = kind;

    /// <summary>What went wrong.</summary>
    public VideoErrorKind Kind { get; }
}
