namespace Isg.Protocol.Text;

/// <summary>RFC 4648 base32, lowercase alphabet, no padding (the multibase 'b' form used by CIDv1).</summary>
public static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private static readonly sbyte[] s_decode = BuildDecodeTable();

    /// <summary>Number of characters needed for <paramref name="byteCount"/> bytes.</summary>
    public static int EncodedLength(int byteCount) => (byteCount * 8 + 4) / 5;

    /// <summary>Encodes <paramref name="data"/> as lowercase unpadded base32.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var length = EncodedLength(data.Length);
        var buffer = length <= 128 ? stackalloc char[length] : new char[length];
        var written = 0;
        var bits = 0;
        var value = 0;
        foreach (var b in data)
        {
            value = (value << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                buffer[written++] = Alphabet[(value >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            buffer[written++] = Alphabet[(value << (5 - bits)) & 31];
        }

        return new string(buffer[..written]);
    }

    /// <summary>
    /// Decodes unpadded base32 (either case) into <paramref name="destination"/>. Returns false on a character
    /// outside the alphabet, a wrong length, or non-zero trailing bits.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        var byteCount = text.Length * 5 / 8;
        if (EncodedLength(byteCount) != text.Length || destination.Length < byteCount)
        {
            return false;
        }

        var bits = 0;
        var value = 0;
        foreach (var c in text)
        {
            var d = c < 128 ? s_decode[c] : (sbyte)-1;
            if (d < 0)
            {
                return false;
            }

            value = ((value << 5) | (byte)d) & 0xFFFF;
            bits += 5;
            if (bits >= 8)
            {
                destination[bytesWritten++] = (byte)(value >> (bits - 8));
                bits -= 8;
            }
        }

        // Canonical form only: leftover bits must be zero, so each byte string has one spelling.
        if ((value & ((1 << bits) - 1)) != 0)
        {
            bytesWritten = 0;
            return false;
        }

        return true;
    }

    private static sbyte[] BuildDecodeTable()
    {
        var table = new sbyte[128];
        Array.Fill(table, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            table[Alphabet[i]] = (sbyte)i;
            table[char.ToUpperInvariant(Alphabet[i])] = (sbyte)i;
        }

        return table;
    }
}
