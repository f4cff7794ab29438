namespace Isg.Protocol.Video;

/// <summary>What reading one data frame found.</summary>
public enum FrameReadStatus
{
    /// <summary>The check matched as read: no error correction was needed.</summary>
    Clean,

    /// <summary>The inner code corrected byte errors and the check then matched.</summary>
    Corrected,

    /// <summary>Too damaged for the inner code (the outer code may rebuild it from its group).</summary>
    Damaged,

    /// <summary>Intact, but not one of this video's data frames (another stream tag, a header frame).</summary>
    Foreign,
}
