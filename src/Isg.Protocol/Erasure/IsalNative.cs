using System.Runtime.InteropServices;

namespace Isg.Protocol.Erasure;

/// <summary>
/// The slice of ISA-L's erasure-code API we use, bound to Debian's soname <c>libisal.so.2</c> (package libisal2).
/// A missing library surfaces as <see cref="DllNotFoundException"/> on the first call; probe with <see cref="IsAvailable"/>.
/// </summary>
internal static unsafe partial class IsalNative
{
    private const string Library = "libisal.so.2";

    private static readonly bool s_isAvailable = Probe();

    /// <summary>True when libisal.so.2 loads and exports the functions below.</summary>
    public static bool IsAvailable => s_isAvailable;

    /// <summary>Fills <paramref name="a"/> (rows × k) with identity over Cauchy rows 1 / (i ⊕ j).</summary>
    [LibraryImport(Library, EntryPoint = "gf_gen_cauchy1_matrix")]
    public static partial void GenerateCauchy1Matrix(byte* a, int rows, int k);

    /// <summary>Expands a rows × k coefficient matrix into 32 bytes of tables per coefficient.</summary>
    [LibraryImport(Library, EntryPoint = "ec_init_tables")]
    public static partial void InitTables(int k, int rows, byte* a, byte* tables);

    /// <summary>Computes rows outputs of <paramref name="length"/> bytes as dot products of the k sources.</summary>
    [LibraryImport(Library, EntryPoint = "ec_encode_data")]
    public static partial void EncodeData(int length, int k, int rows, byte* tables, byte** data, byte** coding);

    /// <summary>Inverts the n × n <paramref name="input"/> (destroyed) into <paramref name="output"/>; non-zero when singular.</summary>
    [LibraryImport(Library, EntryPoint = "gf_invert_matrix")]
    public static partial int InvertMatrix(byte* input, byte* output, int n);

    private static bool Probe()
    {
        if (!NativeLibrary.TryLoad(Library, typeof(IsalNative).Assembly, null, out var handle))
        {
            return false;
        }

        return NativeLibrary.TryGetExport(handle, "gf_gen_cauchy1_matrix", out _)
            && NativeLibrary.TryGetExport(handle, "ec_init_tables", out _)
            && NativeLibrary.TryGetExport(handle, "ec_encode_data", out _)
            && NativeLibrary.TryGetExport(handle, "gf_invert_matrix", out _);
    }
}
