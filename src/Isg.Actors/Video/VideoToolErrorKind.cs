namespace Isg.Actors.Video;

/// <summary>Why an ffmpeg or ffprobe run failed.</summary>
public enum VideoToolErrorKind
{
    /// <summary>The tool could not be started (not installed, or <c>ISG_FFMPEG</c>/<c>ISG_FFPROBE</c> points nowhere).</summary>
    NotFound,

    /// <summary>The tool exited with a non-zero code, or stopped reading its input early.</summary>
    Failed,

    /// <summary>ffprobe found no video stream: the file is not a video or is damaged beyond reading.</summary>
    BadVideo,
}
