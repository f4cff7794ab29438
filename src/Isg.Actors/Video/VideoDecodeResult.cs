using Isg.Protocol.Video;

namespace Isg.Actors.Video;

/// <summary>A finished decode: where the file went, the video's header and metadata, and what the channel did.</summary>
public sealed record VideoDecodeResult(string OutputPath, VideoHeader Header, VideoMetadata Metadata, VideoDecodeStats Stats);
