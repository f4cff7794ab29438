namespace Isg.Actors.Video;

/// <summary>Why an ISGv2 video could not be made or read back.</summary>
public enum VideoErrorKind
{
    /// <summary>No ISGv2 header frame was found: not our video, or its opening frames are gone.</summary>
    NotIsgVideo,

    /// <summary>Too many frames are missing or damaged for the outer code to rebuild (a truncated or mangled video).</summary>
    Unrecoverable,

    /// <summary>The video is encrypted and the passphrase is missing or wrong.</summary>
    WrongPassphrase,

    /// <summary>The rebuilt payload failed its authentication or SHA-256: the video was altered.</summary>
    Corrupt,

    /// <summary>The input cannot be encoded (too large, a name too long, parameters that do not fit the frame).</summary>
    BadInput,
}
