#pragma warning disable
using Isg.Protocol.Frames;
namespace Isg.Actors.Video
{
    public enum VideoCodec { H264, Vp9, Ffv1 }
    public sealed record VideoEncoding(VideoCodec Codec, int Crf, string Preset, double FramesPerSecond)
    { public IReadOnlyList<string> ToArguments(PixelFormat input) => throw new NotSupportedException(); public string FileExtension => "mkv"; }
    public enum VideoToolErrorKind { NotFound, Failed, BadVideo }
    public sealed class VideoToolException : Exception { public VideoToolErrorKind Kind { get; } public string StderrTail { get; } = ""; }
    public sealed class FfmpegFrameWriter : IAsyncDisposable
    {
        public static FfmpegFrameWriter Start(string outputPath, int width, int height, PixelFormat format, VideoEncoding encoding) => throw new NotSupportedException();
        public ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task CompleteAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public ValueTask DisposeAsync() => default;
    }
    public sealed class FfmpegFrameReader : IAsyncDisposable
    {
        public static FfmpegFrameReader Start(string inputPath, PixelFormat format, int? scaleWidth = null, int? scaleHeight = null) => throw new NotSupportedException();
        public int FrameBytes { get; } public int Width { get; } public int Height { get; }
        public ValueTask<bool> ReadFrameAsync(Memory<byte> frame, CancellationToken cancellationToken) => throw new NotSupportedException();
        public long FramesRead { get; }
        public ValueTask DisposeAsync() => default;
    }
    public sealed record VideoInfo(int Width, int Height, double FramesPerSecond, string CodecName, long? FrameCount, TimeSpan? Duration);
    public static class VideoProbe { public static Task<VideoInfo> ProbeAsync(string path, CancellationToken ct) => throw new NotSupportedException(); }
    public sealed record ReencodeChannel(string Name, string Description);
    public static class ReencodeChannels { public static IReadOnlyList<ReencodeChannel> All { get; } = []; public static ReencodeChannel Get(string name) => throw new NotSupportedException(); }
    public static class ReencodeSimulator { public static Task RunAsync(string input, string output, ReencodeChannel channel, double? outputFramesPerSecond, CancellationToken ct) => throw new NotSupportedException(); }
}
