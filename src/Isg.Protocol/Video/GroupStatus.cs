namespace Isg.Protocol.Video;

/// <summary>Whether the next group of a <see cref="FrameGroupAssembler"/> can be written out.</summary>
public enum GroupStatus
{
    /// <summary>Its data frames are all there (some may have been rebuilt from parity).</summary>
    Ready,

    /// <summary>Frames of it may still arrive.</summary>
    Waiting,

    /// <summary>Settled with fewer frames than data frames: its data cannot be rebuilt.</summary>
    Lost,

    /// <summary>Every group has been taken.</summary>
    Finished,
}
