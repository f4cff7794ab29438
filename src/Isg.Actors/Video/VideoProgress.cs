namespace Isg.Actors.Video;

/// <summary>Progress of an encode or decode: payload bytes done of the total, and frames written or read.</summary>
public readonly record struct VideoProgress(long Bytes, long TotalBytes, long Frames);
