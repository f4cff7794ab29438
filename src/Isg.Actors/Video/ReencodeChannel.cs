namespace Isg.Actors.Video;

/// <summary>
/// A named approximation of what a platform does to an uploaded video: the ffmpeg output arguments it re-encodes with,
/// the muxer (<see cref="ContainerFormat"/>) and, when the platform resizes, the size it scales to (bicubic).
/// </summary>
public sealed record ReencodeChannel(
    string Name,
    string Description,
    IReadOnlyList<string> OutputArguments,
    string ContainerFormat,
    int? ScaleWidth = null,
    int? ScaleHeight = null)
{
    /// <summary>The usual file extension for <see cref="ContainerFormat"/>, without the dot.</summary>
    public string FileExtension => ContainerFormat switch
    {
        "mp4" => "mp4",
        "webm" => "webm",
        _ => "mkv",
    };

    /// <summary>The name, for messages.</summary>
    public override string ToString() => Name;
}
