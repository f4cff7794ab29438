using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Isg.Protocol.Keys;

/// <summary>Argon2id (RFC 9106) through libargon2. Thread-safe; each call takes the configured memory and lanes.</summary>
public static class Argon2id
{
    /// <summary>Shortest salt accepted (libargon2's minimum).</summary>
    public const int MinSaltLength = 8;

    /// <summary>Shortest output accepted (libargon2's minimum).</summary>
    public const int MinOutputLength = 4;

    /// <summary>
    /// Fills <paramref name="output"/> with Argon2id(passphrase, salt) at <paramref name="parameters"/> (validated
    /// first). Throws <see cref="DllNotFoundException"/> when libargon2.so.1 is missing and
    /// <see cref="CryptographicException"/> when the library fails (e.g. it cannot allocate the memory).
    /// </summary>
    public static unsafe void DeriveKey(ReadOnlySpan<byte> passphrase, ReadOnlySpan<byte> salt, Argon2Parameters parameters, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(salt.Length, MinSaltLength, nameof(salt));
        ArgumentOutOfRangeException.ThrowIfLessThan(output.Length, MinOutputLength, nameof(output));

        int result;
        fixed (byte* password = &MemoryMarshal.GetReference(passphrase))
        fixed (byte* saltBytes = &MemoryMarshal.GetReference(salt))
        fixed (byte* hash = &MemoryMarshal.GetReference(output))
        {
            result = Argon2Native.Argon2idHashRaw(
                (uint)parameters.Iterations, (uint)parameters.MemoryKiB, (uint)parameters.Parallelism,
                password, (nuint)passphrase.Length, saltBytes, (nuint)salt.Length, hash, (nuint)output.Length);
        }

        if (result != Argon2Native.Ok)
        {
            CryptographicOperations.ZeroMemory(output);
            var message = Marshal.PtrToStringUTF8((IntPtr)Argon2Native.ErrorMessage(result)) ?? "unknown error";
            throw new CryptographicException($"argon2id_hash_raw failed ({result}): {message}");
        }
    }
}
