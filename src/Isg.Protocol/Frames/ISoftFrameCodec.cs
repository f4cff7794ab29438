using Isg.Protocol.Errors;

namespace Isg.Protocol.Frames;

/// <summary>
/// A frame codec that also says how sure it is of each byte it reads, so the error-correcting code can erase the
/// doubtful bytes first (generalized minimum distance decoding) and reach further on a noisy channel.
/// </summary>
public interface ISoftFrameCodec : IFrameCodec
{
    /// <summary>
    /// <see cref="IFrameCodec.TryDecode"/>, also filling the first <see cref="IFrameCodec.PayloadBytesPerFrame"/> bytes
    /// of <paramref name="reliability"/>: higher = read further from a decision boundary.
    /// </summary>
    bool TryDecode(ReadOnlySpan<byte> frame, Span<byte> payload, Span<byte> reliability, out int written, out ProtocolError error);
}
