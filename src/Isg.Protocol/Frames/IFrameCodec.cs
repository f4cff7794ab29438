using Isg.Protocol.Errors;

namespace Isg.Protocol.Frames;

/// <summary>
/// Turns a frame's payload bytes into the pixels of one raw video frame and back. Implementations are immutable
/// and thread-safe (the encoder pool renders and reads frames in parallel) and keep no per-frame allocations.
/// </summary>
public interface IFrameCodec
{
    /// <summary>Frame width in pixels.</summary>
    int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    int Height { get; }

    /// <summary>How <see cref="Encode"/> writes pixels and <see cref="TryDecode"/> expects them.</summary>
    PixelFormat PixelFormat { get; }

    /// <summary>Bytes of one raw frame: width × height × bytes per pixel.</summary>
    int FrameBytes { get; }

    /// <summary>Payload bytes one frame carries.</summary>
    int PayloadBytesPerFrame { get; }

    /// <summary>
    /// Renders <paramref name="payload"/> (at most <see cref="PayloadBytesPerFrame"/> bytes; the rest of the frame's
    /// capacity reads back as zeros) into <paramref name="frame"/> (exactly <see cref="FrameBytes"/> bytes).
    /// Throws <see cref="ArgumentException"/> on wrong lengths (a caller bug).
    /// </summary>
    void Encode(ReadOnlySpan<byte> payload, Span<byte> frame);

    /// <summary>
    /// Reads the payload back from <paramref name="frame"/> (which came through a possibly lossy channel) into the
    /// first <see cref="PayloadBytesPerFrame"/> bytes of <paramref name="payload"/>. Bit errors are not detected here
    /// (the container's error-correcting code does that); false with a typed error only when the frame cannot be read
    /// at all (wrong length, no symbol found). A too-short <paramref name="payload"/> throws <see cref="ArgumentException"/>.
    /// </summary>
    bool TryDecode(ReadOnlySpan<byte> frame, Span<byte> payload, out int written, out ProtocolError error);
}
