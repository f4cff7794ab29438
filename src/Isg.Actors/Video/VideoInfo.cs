namespace Isg.Actors.Video;

/// <summary>
/// What ffprobe reports about the first video stream of a file. <see cref="FramesPerSecond"/> is 0 when the file
/// states no rate; <see cref="FrameCount"/> and <see cref="Duration"/> are null when the container does not record them.
/// </summary>
public sealed record VideoInfo(int Width, int Height, double FramesPerSecond, string CodecName, long? FrameCount, TimeSpan? Duration);
