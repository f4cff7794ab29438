using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using Isg.Protocol.Erasure;
using Isg.Protocol.Frames;
using Isg.Protocol.Hashing;

namespace Isg.Protocol.Video;

/// <summary>
/// What the bytes of one data frame mean. A frame codec gives the frame's capacity; of it, <see cref="SyncBytes"/>
/// at each end are a fixed sync pattern (raster order puts them in the top and bottom cell rows): cells stepping
/// through every level, on every colour channel at once, so the decoders' adaptive levels always see the darkest and
/// the brightest of each channel however little payload the frame carries. The middle is an
/// <see cref="InterleavedCode"/> whose data rows are <see cref="FrameMeta"/> || payload (zero-padded to
/// <see cref="PayloadBytes"/>) || CRC-32C of both. A reader checks the CRC first and runs the error correction only
/// when it fails, so a clean channel costs one CRC per frame. Immutable and thread-safe.
/// </summary>
public sealed class DataFrameLayout
{
    /// <summary>Sync bytes at each end of a grid frame.</summary>
    public const int GridSyncBytes = 32;

    private const int CrcBytes = 4;

    private readonly byte[] _sync;

    /// <summary>
    /// Builds the layout of <paramref name="codec"/>'s frames (drawn in <paramref name="mode"/>, with
    /// <paramref name="bitsPerChannel"/> in colour mode) with <paramref name="innerParity"/> bytes per codeword.
    /// </summary>
    public DataFrameLayout(IFrameCodec codec, VideoMode mode, int bitsPerChannel, int innerParity)
    {
        ArgumentNullException.ThrowIfNull(codec);
        Codec = codec;
        SyncBytes = mode == VideoMode.Qr ? 0 : GridSyncBytes;
        _sync = SyncPattern(mode, bitsPerChannel, SyncBytes);
        var capacity = codec.PayloadBytesPerFrame - (2 * SyncBytes);
        if (capacity < 255)
        {
            throw new ArgumentOutOfRangeException(nameof(codec), codec.PayloadBytesPerFrame,
                "A data frame must carry at least 255 bytes besides its sync pattern: use a larger frame or smaller cells.");
        }

        Code = InterleavedCode.ForCapacity(capacity, innerParity);
        PayloadBytes = Code.DataBytes - FrameMeta.Size - CrcBytes;
        if (PayloadBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(innerParity), innerParity, "The inner parity leaves no room for payload.");
        }
    }

    /// <summary>The frame codec underneath.</summary>
    public IFrameCodec Codec { get; }

    /// <summary>Sync pattern bytes at the start and again at the end of the frame's bytes (0 for QR frames).</summary>
    public int SyncBytes { get; }

    /// <summary>The inner error-correcting code over the frame's middle bytes.</summary>
    public InterleavedCode Code { get; }

    /// <summary>Payload bytes one frame carries.</summary>
    public int PayloadBytes { get; }

    /// <summary>Bytes the codec carries per frame (the buffer <see cref="Compose"/> fills and <see cref="Read"/> takes).</summary>
    public int FrameCapacity => Codec.PayloadBytesPerFrame;

    /// <summary>
    /// Fills <paramref name="frameBytes"/> (<see cref="FrameCapacity"/> bytes) with the sync pattern, the meta, the
    /// payload (at most <see cref="PayloadBytes"/>, zero-padded), the CRC and the inner parity.
    /// </summary>
    public void Compose(FrameMeta meta, ReadOnlySpan<byte> payload, Span<byte> frameBytes)
    {
        if (payload.Length > PayloadBytes || frameBytes.Length != FrameCapacity)
        {
            throw new ArgumentException($"A frame takes at most {PayloadBytes} payload bytes into {FrameCapacity} frame bytes.");
        }

        _sync.CopyTo(frameBytes);
        _sync.CopyTo(frameBytes[(FrameCapacity - SyncBytes)..]);
        var coded = frameBytes.Slice(SyncBytes, Code.EncodedBytes);
        meta.WriteTo(coded);
        payload.CopyTo(coded[FrameMeta.Size..]);
        coded[(FrameMeta.Size + payload.Length)..Code.DataBytes].Clear();
        var checkedLength = FrameMeta.Size + PayloadBytes;
        BinaryPrimitives.WriteUInt32LittleEndian(coded[checkedLength..], Crc32C.Compute(coded[..checkedLength]));
        Code.EncodeInPlace(coded);
        frameBytes[(SyncBytes + Code.EncodedBytes)..(FrameCapacity - SyncBytes)].Clear();
    }

    /// <summary>
    /// Reads a frame's bytes in place (correcting them when the CRC fails) and returns what it found; on
    /// <see cref="FrameReadStatus.Clean"/> or <see cref="FrameReadStatus.Corrected"/>, <paramref name="meta"/> is
    /// valid and <see cref="PayloadOf"/> gives the payload. <paramref name="bitErrors"/> counts the bits the inner
    /// code flipped (the channel's raw errors in a frame it could read).
    /// </summary>
    public FrameReadStatus Read(Span<byte> frameBytes, uint streamTag, out FrameMeta meta, out long bitErrors) =>
        Read(frameBytes, default, streamTag, out meta, out bitErrors);

    /// <summary>
    /// <see cref="Read(Span{byte}, uint, out FrameMeta, out long)"/> with the codec's per-byte
    /// <paramref name="reliability"/> (same length as the frame's bytes, or empty), which lets the inner code erase
    /// doubtful bytes when plain correction fails.
    /// </summary>
    public FrameReadStatus Read(Span<byte> frameBytes, ReadOnlySpan<byte> reliability, uint streamTag, out FrameMeta meta, out long bitErrors)
    {
        if (frameBytes.Length != FrameCapacity)
        {
            throw new ArgumentException($"A frame's bytes are {FrameCapacity} long, got {frameBytes.Length}.", nameof(frameBytes));
        }

        bitErrors = 0;
        var coded = frameBytes.Slice(SyncBytes, Code.EncodedBytes);
        var status = FrameReadStatus.Clean;
        if (!CheckMatches(coded))
        {
            var before = ArrayPool<byte>.Shared.Rent(coded.Length);
            try
            {
                coded.CopyTo(before);
                var codedReliability = reliability.IsEmpty ? default : reliability.Slice(SyncBytes, Code.EncodedBytes);
                if (!Code.DecodeInPlace(coded, codedReliability).Success || !CheckMatches(coded))
                {
                    meta = default;
                    return FrameReadStatus.Damaged;
                }

                bitErrors = CountDifferentBits(before.AsSpan(0, coded.Length), coded);
                status = FrameReadStatus.Corrected;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(before);
            }
        }

        return FrameMeta.TryRead(coded, out meta) && meta.StreamTag == streamTag && meta.PayloadLength <= PayloadBytes
            ? status
            : FrameReadStatus.Foreign;
    }

    /// <summary>The payload of a frame <see cref="Read"/> accepted: <see cref="PayloadBytes"/> bytes, zero past the meta's length.</summary>
    public Span<byte> PayloadOf(Span<byte> frameBytes) => frameBytes.Slice(SyncBytes + FrameMeta.Size, PayloadBytes);

    private bool CheckMatches(ReadOnlySpan<byte> coded)
    {
        var checkedLength = FrameMeta.Size + PayloadBytes;
        return BinaryPrimitives.ReadUInt32LittleEndian(coded[checkedLength..]) == Crc32C.Compute(coded[..checkedLength]);
    }

    // Cell i shows level i mod L (as the codec's symbol for it: Gray-coded below 8 bits) on every channel.
    private static byte[] SyncPattern(VideoMode mode, int bitsPerChannel, int length)
    {
        var (symbolBits, channels) = mode switch
        {
            VideoMode.BlackWhite => (1, 1),
            VideoMode.Gray4 => (2, 1),
            VideoMode.Rgb => (bitsPerChannel, 3),
            _ => (8, 1),
        };
        var levels = 1 << symbolBits;
        var pattern = new byte[length];
        var bit = 0;
        for (var cell = 0; bit < length * 8; cell++)
        {
            var level = cell % levels;
            var symbol = symbolBits == 8 ? level : level ^ (level >> 1);
            for (var channel = 0; channel < channels; channel++)
            {
                for (var b = symbolBits - 1; b >= 0 && bit < length * 8; b--, bit++)
                {
                    if (((symbol >> b) & 1) != 0)
                    {
                        pattern[bit >> 3] |= (byte)(0x80 >> (bit & 7));
                    }
                }
            }
        }

        return pattern;
    }

    private static long CountDifferentBits(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long bits = 0;
        for (var i = 0; i < a.Length; i++)
        {
            bits += BitOperations.PopCount((uint)(a[i] ^ b[i]));
        }

        return bits;
    }
}
