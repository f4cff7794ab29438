namespace Isg.Actors.Video;

/// <summary>The video encoders Isg drives through ffmpeg.</summary>
public enum VideoCodec
{
    /// <summary>H.264 through libx264 (libx264rgb for lossless rgb24); written as MP4.</summary>
    H264,

    /// <summary>VP9 through libvpx-vp9; written as Matroska.</summary>
    Vp9,

    /// <summary>FFV1 level 3, intra-only and always lossless; written as Matroska.</summary>
    Ffv1,
}
