using System.Runtime.InteropServices;

namespace Isg.Protocol.Frames;

/// <summary>
/// The slice of libzbar's image-scanner API that reads QR codes from grey frames, bound to Debian's soname
/// <c>libzbar.so.0</c> (package libzbar0); signatures follow zbar.h 0.23.92. Scanner and image objects are not
/// thread-safe: each decode creates and destroys its own. Probe with <see cref="IsAvailable"/> before the first call.
/// </summary>
internal static unsafe partial class ZbarNative
{
    /// <summary>The soname we bind to.</summary>
    public const string Library = "libzbar.so.0";

    /// <summary>The Debian package that ships <see cref="Library"/>, for error messages.</summary>
    public const string Package = "libzbar0";

    /// <summary><c>zbar_symbol_type_t</c>: every symbology (ZBAR_NONE), as a config target.</summary>
    public const int AllSymbologies = 0;

    /// <summary><c>ZBAR_QRCODE</c>.</summary>
    public const int QrCode = 64;

    /// <summary><c>ZBAR_CFG_ENABLE</c>.</summary>
    public const int ConfigEnable = 0;

    /// <summary><c>ZBAR_CFG_BINARY</c>: hand back the code's bytes as they are, without text conversion.</summary>
    public const int ConfigBinary = 4;

    /// <summary>The fourcc 'Y800' (8-bit luma), little-endian as zbar's <c>zbar_fourcc</c> macro builds it.</summary>
    public const uint FourccY800 = 'Y' | ('8' << 8) | ('0' << 16) | ('0' << 24);

    private static readonly bool s_isAvailable = Probe();

    /// <summary>True when libzbar.so.0 loads and exports the functions below.</summary>
    public static bool IsAvailable => s_isAvailable;

    /// <summary><c>zbar_image_scanner_t *zbar_image_scanner_create(void)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_image_scanner_create")]
    public static partial nint ScannerCreate();

    /// <summary><c>void zbar_image_scanner_destroy(zbar_image_scanner_t *)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_image_scanner_destroy")]
    public static partial void ScannerDestroy(nint scanner);

    /// <summary><c>int zbar_image_scanner_set_config(scanner, zbar_symbol_type_t, zbar_config_t, int)</c>: 0 on success.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_image_scanner_set_config")]
    public static partial int ScannerSetConfig(nint scanner, int symbology, int config, int value);

    /// <summary><c>zbar_image_t *zbar_image_create(void)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_image_create")]
    public static partial nint ImageCreate();

    /// <summary><c>void zbar_image_destroy(zbar_image_t *)</c>; frees the image's symbols, not data set without a cleanup handler.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_image_destroy")]
    public static partial void ImageDestroy(nint image);

    /// <summary><c>void zbar_image_set_format(zbar_image_t *, unsigned long fourcc)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_image_set_format")]
    public static partial void ImageSetFormat(nint image, nuint fourcc);

    /// <summary><c>void zbar_image_set_size(zbar_image_t *, unsigned width, unsigned height)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_image_set_size")]
    public static partial void ImageSetSize(nint image, uint width, uint height);

    /// <summary><c>void zbar_image_set_data(zbar_image_t *, const void *, unsigned long length, cleanup handler)</c>; zbar never writes the data.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_image_set_data")]
    public static partial void ImageSetData(nint image, void* data, nuint length, nint cleanupHandler);

    /// <summary><c>int zbar_scan_image(scanner, image)</c>: symbols found, 0 for none, -1 on error.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_scan_image")]
    public static partial int ScanImage(nint scanner, nint image);

    /// <summary><c>const zbar_symbol_t *zbar_image_first_symbol(const zbar_image_t *)</c>: null when none.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_image_first_symbol")]
    public static partial nint ImageFirstSymbol(nint image);

    /// <summary><c>const zbar_symbol_t *zbar_symbol_next(const zbar_symbol_t *)</c>: null after the last.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_symbol_next")]
    public static partial nint SymbolNext(nint symbol);

    /// <summary><c>zbar_symbol_type_t zbar_symbol_get_type(const zbar_symbol_t *)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_symbol_get_type")]
    public static partial int SymbolGetType(nint symbol);

    /// <summary><c>const char *zbar_symbol_get_data(const zbar_symbol_t *)</c>: valid until the image is destroyed.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_symbol_get_data")]
    public static partial byte* SymbolGetData(nint symbol);

    /// <summary><c>unsigned int zbar_symbol_get_data_length(const zbar_symbol_t *)</c>: binary data may hold NULs.</summary>
    [LibraryImport(Library, EntryPoint = "zbar_symbol_get_data_length")]
    public static partial uint SymbolGetDataLength(nint symbol);

    private static bool Probe()
    {
        if (!NativeLibrary.TryLoad(Library, typeof(ZbarNative).Assembly, null, out var handle))
        {
            return false;
        }

        return NativeLibrary.TryGetExport(handle, "zbar_image_scanner_create", out _)
            && NativeLibrary.TryGetExport(handle, "zbar_image_scanner_set_config", out _)
            && NativeLibrary.TryGetExport(handle, "zbar_scan_image", out _)
            && NativeLibrary.TryGetExport(handle, "zbar_image_set_data", out _)
            && NativeLibrary.TryGetExport(handle, "zbar_symbol_get_data_length", out _);
    }
}
