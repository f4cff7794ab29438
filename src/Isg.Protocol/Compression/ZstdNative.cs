using System.Runtime.InteropServices;

namespace Isg.Protocol.Compression;

/// <summary>
/// The slice of libzstd's one-shot API we use, bound to Debian's soname <c>libzstd.so.1</c> (package libzstd1).
/// A missing library surfaces as <see cref="DllNotFoundException"/> on the first call.
/// </summary>
internal static unsafe partial class ZstdNative
{
    private const string Library = "libzstd.so.1";

    /// <summary><c>ZSTD_CONTENTSIZE_UNKNOWN</c>: the frame header does not record the size.</summary>
    public const ulong ContentSizeUnknown = ulong.MaxValue;

    /// <summary><c>ZSTD_CONTENTSIZE_ERROR</c>: not a valid frame header.</summary>
    public const ulong ContentSizeError = ulong.MaxValue - 1;

    [LibraryImport(Library, EntryPoint = "ZSTD_createCCtx")]
    public static partial ZstdCompressionContext CreateCCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeCCtx")]
    public static partial nuint FreeCCtx(IntPtr context);

    [LibraryImport(Library, EntryPoint = "ZSTD_compressCCtx")]
    public static partial nuint CompressCCtx(
        ZstdCompressionContext context, byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize, int level);

    [LibraryImport(Library, EntryPoint = "ZSTD_createDCtx")]
    public static partial ZstdDecompressionContext CreateDCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDCtx")]
    public static partial nuint FreeDCtx(IntPtr context);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressDCtx")]
    public static partial nuint DecompressDCtx(
        ZstdDecompressionContext context, byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_compressBound")]
    public static partial nuint CompressBound(nuint sourceSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    public static partial uint IsError(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorName")]
    public static partial byte* GetErrorName(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getFrameContentSize")]
    public static partial ulong GetFrameContentSize(byte* source, nuint sourceSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorCode")]
    public static partial int GetErrorCode(nuint code);

    /// <summary><c>ZSTD_error_dstSize_tooSmall</c>: the output did not fit.</summary>
    public const int ErrorDestinationTooSmall = 70;

    /// <summary>The library's name for an error code, for exception messages.</summary>
    public static string ErrorName(nuint code) => Marshal.PtrToStringUTF8((IntPtr)GetErrorName(code)) ?? "unknown zstd error";
}
