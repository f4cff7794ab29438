namespace Isg.Actors.Backends.YouTube;

/// <summary>How a <see cref="YouTubeClient"/> fetches a video's bytes back.</summary>
public enum YouTubeDownloadMode
{
    /// <summary>yt-dlp, choosing explicitly the format at the profile's own resolution (<see cref="YtDlpFormatSelector"/>).</summary>
    YtDlp,

    /// <summary>A plain GET of <see cref="YouTubeBackendOptions.DirectDownloadUrl"/> with the video id filled in.</summary>
    Direct,
}
