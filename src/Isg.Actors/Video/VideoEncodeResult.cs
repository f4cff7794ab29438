namespace Isg.Actors.Video;

/// <summary>What an encode produced: sizes, frame counts, the video's play time and its size on disk.</summary>
public sealed record VideoEncodeResult(
    long FileLength, long PayloadLength, int DataFrames, int ParityFrames, long FramesWritten, double DurationSeconds, long VideoBytes)
{
    /// <summary>File bytes per second of video: the channel's net payload rate.</summary>
    public double NetBytesPerSecond => DurationSeconds > 0 ? FileLength / DurationSeconds : 0;
}
