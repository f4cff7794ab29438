using System.Runtime.InteropServices;

namespace Isg.Protocol.Keys;

/// <summary>
/// The reference Argon2 library, bound to Debian's soname <c>libargon2.so.1</c> (package libargon2-1).
/// A missing library surfaces as <see cref="DllNotFoundException"/> on the first call.
/// </summary>
internal static unsafe partial class Argon2Native
{
    /// <summary><c>ARGON2_OK</c>.</summary>
    public const int Ok = 0;

    private const string Library = "libargon2.so.1";

    [LibraryImport(Library, EntryPoint = "argon2id_hash_raw")]
    public static partial int Argon2idHashRaw(
        uint iterations, uint memoryKiB, uint parallelism,
        byte* password, nuint passwordLength,
        byte* salt, nuint saltLength,
        byte* hash, nuint hashLength);

    [LibraryImport(Library, EntryPoint = "argon2_error_message")]
    public static partial byte* ErrorMessage(int errorCode);
}
