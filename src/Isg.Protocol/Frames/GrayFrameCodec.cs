using Isg.Protocol.Errors;

namespace Isg.Protocol.Frames;

/// <summary>The grey cell codec (<see cref="GrayFrameEncoder"/>, <see cref="GrayFrameDecoder"/>) behind <see cref="IFrameCodec"/>.</summary>
public sealed class GrayFrameCodec(FrameGeometry geometry) : ISoftFrameCodec
{
    /// <summary>The frame layout this codec reads and writes.</summary>
    public FrameGeometry Geometry { get; } = geometry;

    /// <inheritdoc/>
    public int Width => Geometry.Width;

    /// <inheritdoc/>
    public int Height => Geometry.Height;

    /// <inheritdoc/>
    public PixelFormat PixelFormat => PixelFormat.Gray8;

    /// <inheritdoc/>
    public int FrameBytes => Geometry.FrameBytes;

    /// <inheritdoc/>
    public int PayloadBytesPerFrame => Geometry.PayloadBytesPerFrame;

    /// <inheritdoc/>
    public void Encode(ReadOnlySpan<byte> payload, Span<byte> frame) => GrayFrameEncoder.Encode(payload, Geometry, frame);

    /// <inheritdoc/>
    public bool TryDecode(ReadOnlySpan<byte> frame, Span<byte> payload, out int written, out ProtocolError error) =>
        GrayFrameDecoder.TryDecode(frame, Geometry, payload, out written, out error);

    /// <inheritdoc/>
    public bool TryDecode(ReadOnlySpan<byte> frame, Span<byte> payload, Span<byte> reliability, out int written, out ProtocolError error) =>
        GrayFrameDecoder.TryDecode(frame, Geometry, payload, reliability, out written, out error);
}
