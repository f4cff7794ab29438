using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Isg.Protocol.Errors;
using Isg.Protocol.Peers.Wire;

namespace Isg.Protocol.Peers;

/// <summary>
/// The peer protocol's framing (peer.proto): a 4-byte big-endian length, then one <see cref="PeerFrame"/> of that many
/// bytes. The length is bounded by <see cref="MaxFrameBytes"/> (or the smaller limit a caller passes), so a peer can
/// never make the reader buffer more than one bounded frame. Stateless and thread-safe.
/// </summary>
public static class PeerFrameCodec
{
    /// <summary>Bytes of the length prefix.</summary>
    public const int PrefixLength = 4;

    /// <summary>The largest part of a sealed block one <see cref="BlockResponse"/> carries (2 MiB).</summary>
    public const int MaxBlockPartBytes = 2 * 1024 * 1024;

    /// <summary>
    /// The largest frame (after the prefix) a reader accepts by default: 4 MiB plus 64 KiB of slack for the fields
    /// around a payload, so a page of catalogue operations or a block part always fits.
    /// </summary>
    public const int MaxFrameBytes = (4 * 1024 * 1024) + (64 * 1024);

    // Unknown fields (from a newer peer) are dropped rather than kept: nothing re-encodes them.
    private static readonly MessageParser<PeerFrame> s_parser = PeerFrame.Parser.WithDiscardUnknownFields(true);

    /// <summary>The encoded length of <paramref name="frame"/>: prefix plus message.</summary>
    public static int GetEncodedLength(PeerFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return PrefixLength + frame.CalculateSize();
    }

    /// <summary>
    /// Writes the prefix and <paramref name="frame"/> to <paramref name="writer"/>; returns the bytes written. Throws
    /// <see cref="ArgumentException"/> when the message is longer than <paramref name="maxFrameBytes"/> (a caller's bug:
    /// the receiver would close the connection).
    /// </summary>
    public static int Encode(PeerFrame frame, IBufferWriter<byte> writer, int maxFrameBytes = MaxFrameBytes)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(writer);
        var length = CheckedLength(frame, maxFrameBytes);
        var span = writer.GetSpan(PrefixLength + length);
        Write(frame, length, span);
        writer.Advance(PrefixLength + length);
        return PrefixLength + length;
    }

    /// <summary>
    /// Writes the prefix and <paramref name="frame"/> at the start of <paramref name="destination"/> (at least
    /// <see cref="GetEncodedLength"/> bytes); returns the bytes written. Throws as <see cref="Encode(PeerFrame, IBufferWriter{byte}, int)"/>.
    /// </summary>
    public static int Encode(PeerFrame frame, Span<byte> destination, int maxFrameBytes = MaxFrameBytes)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var length = CheckedLength(frame, maxFrameBytes);
        if (destination.Length < PrefixLength + length)
        {
            throw new ArgumentException($"the frame needs {PrefixLength + length} bytes, the destination has {destination.Length}", nameof(destination));
        }

        Write(frame, length, destination);
        return PrefixLength + length;
    }

    /// <summary>The encoding of <paramref name="frame"/> as a new array (tests and tools).</summary>
    public static byte[] ToBytes(PeerFrame frame, int maxFrameBytes = MaxFrameBytes)
    {
        var bytes = new byte[GetEncodedLength(frame)];
        Encode(frame, bytes, maxFrameBytes);
        return bytes;
    }

    /// <summary>
    /// Reads the prefix at the start of <paramref name="input"/> without parsing the message. Done: the message
    /// length. NeedMoreData: fewer than 4 bytes (Truncated). Invalid: the length exceeds <paramref name="maxFrameBytes"/>
    /// (TooLarge at offset 0), known as soon as the prefix has arrived, before any of the message is buffered.
    /// </summary>
    public static DecodeStatus TryReadLength(ReadOnlySequence<byte> input, int maxFrameBytes, out int length, out ProtocolError error)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxFrameBytes);
        length = 0;
        if (input.Length < PrefixLength)
        {
            error = ProtocolError.Of(ProtocolErrorKind.Truncated, $"a frame starts with a {PrefixLength}-byte length, have {input.Length}");
            return DecodeStatus.NeedMoreData;
        }

        Span<byte> prefix = stackalloc byte[PrefixLength];
        input.Slice(0, PrefixLength).CopyTo(prefix);
        var declared = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        if (declared > (uint)maxFrameBytes)
        {
            error = ProtocolError.At(ProtocolErrorKind.TooLarge, prefix, 0, $"frame of {declared} bytes, at most {maxFrameBytes} allowed");
            return DecodeStatus.Invalid;
        }

        length = (int)declared;
        error = default;
        return DecodeStatus.Done;
    }

    /// <summary>
    /// Decodes one frame from the start of <paramref name="input"/>; never throws on bad input. Done: the frame and the
    /// bytes it took (bytes after it are not looked at). NeedMoreData: a valid prefix of a frame (Truncated). Invalid:
    /// TooLarge (a length above <paramref name="maxFrameBytes"/>, offset 0) or Malformed (the message does not parse as
    /// a PeerFrame, offset 4). Unknown fields are dropped; a frame whose body a newer peer added arrives with no body.
    /// </summary>
    public static DecodeStatus TryDecode(ReadOnlySequence<byte> input, int maxFrameBytes, out PeerFrame? frame, out long bytesConsumed, out ProtocolError error)
    {
        frame = null;
        bytesConsumed = 0;
        var status = TryReadLength(input, maxFrameBytes, out var length, out error);
        if (status != DecodeStatus.Done)
        {
            return status;
        }

        if (input.Length - PrefixLength < length)
        {
            error = ProtocolError.Of(ProtocolErrorKind.Truncated, $"frame needs {length} bytes after its length, have {input.Length - PrefixLength}");
            return DecodeStatus.NeedMoreData;
        }

        var body = input.Slice(PrefixLength, length);
        try
        {
            frame = s_parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            error = Malformed(body, e.Message);
            return DecodeStatus.Invalid;
        }

        bytesConsumed = PrefixLength + length;
        return DecodeStatus.Done;
    }

    /// <summary>As <see cref="TryDecode(ReadOnlySequence{byte}, int, out PeerFrame?, out long, out ProtocolError)"/> over one span.</summary>
    public static DecodeStatus TryDecode(ReadOnlySpan<byte> input, int maxFrameBytes, out PeerFrame? frame, out int bytesConsumed, out ProtocolError error)
    {
        frame = null;
        bytesConsumed = 0;
        if (input.Length < PrefixLength)
        {
            error = ProtocolError.Of(ProtocolErrorKind.Truncated, $"a frame starts with a {PrefixLength}-byte length, have {input.Length}");
            return DecodeStatus.NeedMoreData;
        }

        var declared = BinaryPrimitives.ReadUInt32BigEndian(input);
        if (declared > (uint)maxFrameBytes)
        {
            error = ProtocolError.At(ProtocolErrorKind.TooLarge, input, 0, $"frame of {declared} bytes, at most {maxFrameBytes} allowed");
            return DecodeStatus.Invalid;
        }

        var length = (int)declared;
        if (input.Length - PrefixLength < length)
        {
            error = ProtocolError.Of(ProtocolErrorKind.Truncated, $"frame needs {length} bytes after its length, have {input.Length - PrefixLength}");
            return DecodeStatus.NeedMoreData;
        }

        try
        {
            frame = s_parser.ParseFrom(input.Slice(PrefixLength, length));
        }
        catch (InvalidProtocolBufferException e)
        {
            error = ProtocolError.At(ProtocolErrorKind.Malformed, input, PrefixLength, $"not a valid PeerFrame: {e.Message}");
            return DecodeStatus.Invalid;
        }

        bytesConsumed = PrefixLength + length;
        error = default;
        return DecodeStatus.Done;
    }

    private static ProtocolError Malformed(ReadOnlySequence<byte> body, string detail)
    {
        Span<byte> excerpt = stackalloc byte[(int)Math.Min(16, body.Length)];
        body.Slice(0, excerpt.Length).CopyTo(excerpt);
        return new ProtocolError(ProtocolErrorKind.Malformed, PrefixLength, Convert.ToHexStringLower(excerpt), $"not a valid PeerFrame: {detail}");
    }

    private static int CheckedLength(PeerFrame frame, int maxFrameBytes)
    {
        var length = frame.CalculateSize();
        if (length > maxFrameBytes)
        {
            throw new ArgumentException($"a {frame.BodyCase} frame of {length} bytes exceeds the {maxFrameBytes}-byte frame limit", nameof(frame));
        }

        return length;
    }

    private static void Write(PeerFrame frame, int length, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length);
        frame.WriteTo(destination.Slice(PrefixLength, length));
    }
}
