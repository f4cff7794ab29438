namespace Isg.Protocol.Video;

/// <summary>What <see cref="FrameGroupAssembler.Offer"/> did with a frame.</summary>
public enum FrameOffer
{
    /// <summary>Kept: the first good copy of this frame.</summary>
    Accepted,

    /// <summary>Already held (a repeated or duplicated frame).</summary>
    Duplicate,

    /// <summary>Its group was already settled (a frame reordered further than the window).</summary>
    Late,

    /// <summary>Its index or kind does not fit the video's plan.</summary>
    OutOfPlan,
}
