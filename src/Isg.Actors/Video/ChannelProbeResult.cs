namespace Isg.Actors.Video;

/// <summary>
/// What <see cref="ChannelProbe"/> measured of one profile through one channel: payload size and play time (so
/// the net payload rate), the raw bit error rate the channel caused, frames the inner code could not correct,
/// frames the outer code rebuilt and groups it could not, whether the file came back bit-exact, and why not when it did not.
/// </summary>
public sealed record ChannelProbeResult(
    string Profile,
    string Channel,
    long PayloadBytes,
    double VideoSeconds,
    long MasterBytes,
    long ChannelBytes,
    double RawBitErrorRate,
    long FramesRead,
    long FramesDamaged,
    int FramesRebuilt,
    int GroupsLost,
    bool BitExact,
    string? Failure,
    double EncodeSeconds,
    double ChannelSeconds,
    double DecodeSeconds)
{
    /// <summary>Payload bytes per second of video.</summary>
    public double NetBytesPerSecond => VideoSeconds > 0 ? PayloadBytes / VideoSeconds : 0;

    /// <summary>Bitrate of the video the channel returned, in bits per second.</summary>
    public double ChannelBitsPerSecond => VideoSeconds > 0 ? ChannelBytes * 8 / VideoSeconds : 0;
}
