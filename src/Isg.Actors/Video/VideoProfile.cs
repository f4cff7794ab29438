using Isg.Protocol.Video;

namespace Isg.Actors.Video;

/// <summary>
/// A named channel setting: the frame layout and error-correction strength (<see cref="Parameters"/>), how the
/// master video is compressed (<see cref="Encoding"/>), and how many copies of the header open the video.
/// </summary>
public sealed record VideoProfile(string Name, string Description, VideoParameters Parameters, VideoEncoding Encoding, int HeaderRepeats)
{
    /// <summary>Seconds of video the given payload-carrying frame count plays for, header included.</summary>
    public double DurationSeconds(int dataAndParityFrames) =>
        (double)(dataAndParityFrames + HeaderRepeats) * Parameters.Repeat / Parameters.FramesPerSecond;
}
