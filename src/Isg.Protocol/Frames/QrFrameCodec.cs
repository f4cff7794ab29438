using System.Buffers;
using Isg.Protocol.Errors;
using QRCoder;

namespace Isg.Protocol.Frames;

/// <summary>
/// Tiles a gray8 frame with QR codes of one fixed version and error-correction level, drawn black on white with
/// QRCoder and read back with libzbar. Neighbouring codes share their 4-module quiet zones and the grid is centred.
/// Each code holds, in byte mode, its tile index (one byte) followed by <see cref="PayloadBytesPerTile"/> payload
/// bytes (zero-padded), so tiles can be placed whatever order the scanner returns them in; a tile that does not
/// read leaves zeros in its payload range for the container's erasure code. Immutable and thread-safe: every
/// decode uses its own zbar scanner. Encoding allocates (QRCoder builds each code); decoding needs libzbar.so.0
/// (Debian package libzbar0), encoding does not.
/// </summary>
public sealed class QrFrameCodec : IFrameCodec
{
    /// <summary>Smallest module edge in pixels: libzbar finds no code at one pixel per module (measured at 1920x1080).</summary>
    public const int MinModuleSize = 2;

    /// <summary>Largest module edge in pixels.</summary>
    public const int MaxModuleSize = 10;

    /// <summary>Smallest QR version.</summary>
    public const int MinVersion = 1;

    /// <summary>Largest QR version.</summary>
    public const int MaxVersion = 40;

    /// <summary>White modules around each code, shared between neighbours.</summary>
    public const int QuietZoneModules = 4;

    /// <summary>Most tiles per frame: the tile index is one byte.</summary>
    public const int MaxTiles = 256;

    private const byte Dark = 0;
    private const byte Light = 255;

    /// <summary>
    /// Byte-mode capacity in bytes by (version - 1) × 4 + level (L, M, Q, H), from ISO/IEC 18004 table 7;
    /// a test checks every entry against QRCoder's own version choice.
    /// </summary>
    private static ReadOnlySpan<short> ByteCapacity =>
    [
        17, 14, 11, 7, 32, 26, 20, 14, 53, 42, 32, 24, 78, 62, 46, 34, 106, 84, 60, 44,
        134, 106, 74, 58, 154, 122, 86, 64, 192, 152, 108, 84, 230, 180, 130, 98, 271, 213, 151, 119,
        321, 251, 177, 137, 367, 287, 203, 155, 425, 331, 241, 177, 458, 362, 258, 194, 520, 412, 292, 220,
        586, 450, 322, 250, 644, 504, 364, 280, 718, 560, 394, 310, 792, 624, 442, 338, 858, 666, 482, 382,
        929, 711, 509, 403, 1003, 779, 565, 439, 1091, 857, 611, 461, 1171, 911, 661, 511, 1273, 997, 715, 535,
        1367, 1059, 751, 593, 1465, 1125, 805, 625, 1528, 1190, 868, 658, 1628, 1264, 908, 698, 1732, 1370, 982, 742,
        1840, 1452, 1030, 790, 1952, 1538, 1112, 842, 2068, 1628, 1168, 898, 2188, 1722, 1228, 958, 2303, 1809, 1283, 983,
        2431, 1911, 1351, 1051, 2563, 1989, 1423, 1093, 2699, 2099, 1499, 1139, 2809, 2213, 1579, 1219, 2953, 2331, 1663, 1273,
    ];

    private readonly QRCodeGenerator.ECCLevel _eccLevel;
    private readonly int _originX;
    private readonly int _originY;
    private readonly int _pitch;

    /// <summary>
    /// Creates a codec for <paramref name="width"/> × <paramref name="height"/> frames of QR codes of
    /// <paramref name="version"/> (1..40) at <paramref name="errorCorrection"/>, <paramref name="moduleSize"/> pixels
    /// per module (2..10). Throws <see cref="ArgumentOutOfRangeException"/> naming the bad argument, including a
    /// frame too small for one code.
    /// </summary>
    public QrFrameCodec(int width, int height, int moduleSize, int version, QrErrorCorrection errorCorrection)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(moduleSize, MinModuleSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(moduleSize, MaxModuleSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, MinVersion);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, MaxVersion);
        if (!Enum.IsDefined(errorCorrection))
        {
            throw new ArgumentOutOfRangeException(nameof(errorCorrection), errorCorrection, "Unknown QR error-correction level.");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, FrameGeometry.MaxDimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, FrameGeometry.MaxDimension);
        var side = SymbolModules(version);
        var pitch = side + QuietZoneModules;
        var across = ((width / moduleSize) - QuietZoneModules) / pitch;
        var down = ((height / moduleSize) - QuietZoneModules) / pitch;
        if (across < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"Too narrow for one version {version} QR code at {moduleSize} px per module.");
        }

        if (down < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, $"Too low for one version {version} QR code at {moduleSize} px per module.");
        }

        Width = width;
        Height = height;
        ModuleSize = moduleSize;
        Version = version;
        ErrorCorrection = errorCorrection;
        TilesAcross = across;
        TileCount = Math.Min(MaxTiles, across * down);
        TilesDown = (TileCount + across - 1) / across;
        TileBytes = ByteCapacity[((version - 1) * 4) + (int)errorCorrection - 1];
        _eccLevel = errorCorrection switch
        {
            QrErrorCorrection.L => QRCodeGenerator.ECCLevel.L,
            QrErrorCorrection.M => QRCodeGenerator.ECCLevel.M,
            QrErrorCorrection.Q => QRCodeGenerator.ECCLevel.Q,
            _ => QRCodeGenerator.ECCLevel.H,
        };
        _pitch = pitch * moduleSize;
        _originX = (width - (((across * pitch) + QuietZoneModules) * moduleSize)) / 2;
        _originY = (height - (((TilesDown * pitch) + QuietZoneModules) * moduleSize)) / 2;
    }

    /// <inheritdoc/>
    public int Width { get; }

    /// <inheritdoc/>
    public int Height { get; }

    /// <summary>Module edge in pixels (2..10).</summary>
    public int ModuleSize { get; }

    /// <summary>QR version of every tile (1..40): the code is 17 + 4 × version modules across.</summary>
    public int Version { get; }

    /// <summary>Error-correction level of every tile.</summary>
    public QrErrorCorrection ErrorCorrection { get; }

    /// <summary>Tiles per row of the grid.</summary>
    public int TilesAcross { get; }

    /// <summary>Rows of the grid that hold at least one tile.</summary>
    public int TilesDown { get; }

    /// <summary>Codes per frame (at most <see cref="MaxTiles"/>), row-major.</summary>
    public int TileCount { get; }

    /// <summary>Bytes each code holds: its byte-mode capacity at this version and level.</summary>
    public int TileBytes { get; }

    /// <summary>Payload bytes each code carries: <see cref="TileBytes"/> less the tile index.</summary>
    public int PayloadBytesPerTile => TileBytes - 1;

    /// <inheritdoc/>
    public PixelFormat PixelFormat => PixelFormat.Gray8;

    /// <inheritdoc/>
    public int FrameBytes => Width * Height;

    /// <inheritdoc/>
    public int PayloadBytesPerFrame => TileCount * PayloadBytesPerTile;

    /// <summary>Modules across one code of <paramref name="version"/>, quiet zone excluded.</summary>
    public static int SymbolModules(int version) => 17 + (4 * version);

    /// <summary>The pixel square of tile <paramref name="tile"/>'s code (quiet zone excluded): left, top and edge length.</summary>
    public (int X, int Y, int Size) TileBounds(int tile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tile);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(tile, TileCount);
        var quiet = QuietZoneModules * ModuleSize;
        return (_originX + ((tile % TilesAcross) * _pitch) + quiet, _originY + ((tile / TilesAcross) * _pitch) + quiet, SymbolModules(Version) * ModuleSize);
    }

    /// <inheritdoc/>
    public void Encode(ReadOnlySpan<byte> payload, Span<byte> frame)
    {
        if (frame.Length != FrameBytes)
        {
            throw new ArgumentException($"Frame is {frame.Length} bytes; a {Width}x{Height} gray8 frame is {FrameBytes}.", nameof(frame));
        }

        if (payload.Length > PayloadBytesPerFrame)
        {
            throw new ArgumentException($"Payload is {payload.Length} bytes; a frame carries at most {PayloadBytesPerFrame}.", nameof(payload));
        }

        frame.Fill(Light);
        // Every tile is drawn, full or not, so a frame always shows the same grid and the capacity of a code
        // (filled to the brim with zeros) pins QRCoder's version choice to ours.
        var content = new byte[TileBytes];
        var perTile = PayloadBytesPerTile;
        for (var tile = 0; tile < TileCount; tile++)
        {
            var start = Math.Min(payload.Length, tile * perTile);
            var chunk = payload.Slice(start, Math.Min(perTile, payload.Length - start));
            content[0] = (byte)tile;
            chunk.CopyTo(content.AsSpan(1));
            content.AsSpan(1 + chunk.Length).Clear();
            Whiten(content.AsSpan(1), tile);
            DrawTile(content, tile, frame);
        }
    }

    /// <inheritdoc/>
    public bool TryDecode(ReadOnlySpan<byte> frame, Span<byte> payload, out int written, out ProtocolError error)
    {
        var payloadBytes = PayloadBytesPerFrame;
        if (payload.Length < payloadBytes)
        {
            throw new ArgumentException($"Payload buffer is {payload.Length} bytes; the frame carries {payloadBytes}.", nameof(payload));
        }

        if (frame.Length != FrameBytes)
        {
            written = 0;
            error = ProtocolError.Of(ProtocolErrorKind.BadField, $"frame is {frame.Length} bytes; a {Width}x{Height} gray8 frame is {FrameBytes}");
            return false;
        }

        if (!ZbarNative.IsAvailable)
        {
            throw new DllNotFoundException(
                $"QR frame decoding needs {ZbarNative.Library}, which did not load: install the Debian package {ZbarNative.Package}.");
        }

        payload[..payloadBytes].Clear();
        Span<bool> placed = stackalloc bool[MaxTiles];
        placed.Clear();
        var found = Scan(frame, Width, Height, payload, placed);
        if (found > 0 && found < TileCount)
        {
            found += RescanMissingTiles(frame, payload, placed);
        }

        if (found == 0)
        {
            written = 0;
            error = ProtocolError.Of(ProtocolErrorKind.Malformed, $"no readable QR tile in the {Width}x{Height} frame ({TileCount} expected)");
            return false;
        }

        written = payloadBytes;
        error = default;
        return true;
    }

    // zbar's whole-frame pass now and then misses a code it reads on its own (its finder pattern search is thrown
    // off by a neighbour); each missing tile is scanned again alone, cut out with its quiet zone.
    private int RescanMissingTiles(ReadOnlySpan<byte> frame, Span<byte> payload, Span<bool> placed)
    {
        var margin = QuietZoneModules * ModuleSize;
        var found = 0;
        for (var tile = 0; tile < TileCount; tile++)
        {
            if (placed[tile])
            {
                continue;
            }

            var (x, y, size) = TileBounds(tile);
            int left = Math.Max(0, x - margin), top = Math.Max(0, y - margin);
            int right = Math.Min(Width, x + size + margin), bottom = Math.Min(Height, y + size + margin);
            int cropWidth = right - left, cropHeight = bottom - top;
            var crop = ArrayPool<byte>.Shared.Rent(cropWidth * cropHeight);
            try
            {
                for (var row = 0; row < cropHeight; row++)
                {
                    frame.Slice(((top + row) * Width) + left, cropWidth).CopyTo(crop.AsSpan(row * cropWidth));
                }

                found += Scan(crop.AsSpan(0, cropWidth * cropHeight), cropWidth, cropHeight, payload, placed);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(crop);
            }
        }

        return found;
    }

    /// <summary>Runs zbar over a picture and copies each of our tiles not yet placed into place; returns how many it placed.</summary>
    private unsafe int Scan(ReadOnlySpan<byte> frame, int width, int height, Span<byte> payload, Span<bool> placed)
    {
        var found = 0;
        var scanner = ZbarNative.ScannerCreate();
        var image = nint.Zero;
        if (scanner == nint.Zero)
        {
            throw new InvalidOperationException("zbar_image_scanner_create returned null (out of memory).");
        }

        try
        {
            // Disable every symbology, then enable QR alone with binary output: without ZBAR_CFG_BINARY zbar
            // guesses a text encoding and re-encodes our bytes as UTF-8.
            if (ZbarNative.ScannerSetConfig(scanner, ZbarNative.AllSymbologies, ZbarNative.ConfigEnable, 0) != 0
                || ZbarNative.ScannerSetConfig(scanner, ZbarNative.QrCode, ZbarNative.ConfigEnable, 1) != 0
                || ZbarNative.ScannerSetConfig(scanner, ZbarNative.QrCode, ZbarNative.ConfigBinary, 1) != 0)
            {
                throw new InvalidOperationException($"This {ZbarNative.Library} does not accept QR binary mode (zbar 0.23 or later needed).");
            }

            image = ZbarNative.ImageCreate();
            if (image == nint.Zero)
            {
                throw new InvalidOperationException("zbar_image_create returned null (out of memory).");
            }

            fixed (byte* pixels = frame)
            {
                ZbarNative.ImageSetFormat(image, ZbarNative.FourccY800);
                ZbarNative.ImageSetSize(image, (uint)width, (uint)height);
                ZbarNative.ImageSetData(image, pixels, (nuint)frame.Length, nint.Zero);
                if (ZbarNative.ScanImage(scanner, image) <= 0)
                {
                    return 0;
                }

                for (var symbol = ZbarNative.ImageFirstSymbol(image); symbol != nint.Zero; symbol = ZbarNative.SymbolNext(symbol))
                {
                    var length = ZbarNative.SymbolGetDataLength(symbol);
                    var data = ZbarNative.SymbolGetData(symbol);
                    // A code of another length, or an index off our grid, is not one of ours (or is misread): skip it.
                    if (ZbarNative.SymbolGetType(symbol) != ZbarNative.QrCode || length != TileBytes || data == null)
                    {
                        continue;
                    }

                    var content = new ReadOnlySpan<byte>(data, TileBytes);
                    var tile = content[0];
                    if (tile >= TileCount || placed[tile])
                    {
                        continue;
                    }

                    placed[tile] = true;
                    found++;
                    var destination = payload.Slice(tile * PayloadBytesPerTile, PayloadBytesPerTile);
                    content[1..].CopyTo(destination);
                    Whiten(destination, tile);
                }
            }
        }
        finally
        {
            // Destroying the image releases zbar's symbols; it never frees our pixels (no cleanup handler was set).
            if (image != nint.Zero)
            {
                ZbarNative.ImageDestroy(image);
            }

            ZbarNative.ScannerDestroy(scanner);
        }

        return found;
    }

    // XORs a fixed keystream (xorshift32 seeded by the tile index) over a tile's payload, both ways: long runs of
    // equal bytes (zero padding, parity of a short frame) made codes that zbar could not find even on their own.
    private static void Whiten(Span<byte> bytes, int tile)
    {
        var state = (uint)(tile + 1) * 0x9E3779B9u;
        for (var i = 0; i < bytes.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            bytes[i] ^= (byte)state;
        }
    }

    /// <summary>Draws the dark modules of the code for <paramref name="content"/> at tile <paramref name="tile"/>.</summary>
    private void DrawTile(byte[] content, int tile, Span<byte> frame)
    {
        using var code = QRCodeGenerator.GenerateQrCode(content, _eccLevel);
        var matrix = code.ModuleMatrix;
        var side = SymbolModules(Version);
        if (code.Version != Version || matrix.Count != side + (2 * QuietZoneModules))
        {
            throw new InvalidOperationException($"QRCoder chose version {code.Version} for {content.Length} bytes; version {Version} was expected.");
        }

        var (left, top, size) = TileBounds(tile);
        var module = ModuleSize;
        for (var y = 0; y < side; y++)
        {
            var bits = matrix[y + QuietZoneModules];
            var row = frame.Slice(((top + (y * module)) * Width) + left, size);
            for (var x = 0; x < side; x++)
            {
                if (bits[x + QuietZoneModules])
                {
                    row.Slice(x * module, module).Fill(Dark);
                }
            }

            for (var copy = 1; copy < module; copy++)
            {
                row.CopyTo(frame.Slice(((top + (y * module) + copy) * Width) + left, size));
            }
        }
    }
}
