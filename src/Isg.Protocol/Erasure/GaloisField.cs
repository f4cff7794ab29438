namespace Isg.Protocol.Erasure;

/// <summary>
/// Scalar arithmetic in GF(2^8) with ISA-L's polynomial x^8+x^4+x^3+x^2+1 (0x11D) and generator 2, plus the
/// Cauchy encoding matrix and Gauss-Jordan inversion. This is the reference the vector kernels are tested against.
/// </summary>
internal static class GaloisField
{
    /// <summary>The reducing polynomial, ISA-L's.</summary>
    public const int Polynomial = 0x11D;

    // Exp is doubled so Multiply can index log[a] + log[b] without a modulo.
    private static readonly byte[] s_exp = new byte[510];
    private static readonly byte[] s_log = new byte[256];
    private static readonly byte[] s_products = new byte[256 * 256];

    static GaloisField()
    {
        var x = 1;
        for (var i = 0; i < 255; i++)
        {
            s_exp[i] = (byte)x;
            s_exp[i + 255] = (byte)x;
            s_log[x] = (byte)i;
            x <<= 1;
            if ((x & 0x100) != 0)
            {
                x ^= Polynomial;
            }
        }

        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                s_products[(a << 8) | b] = Multiply((byte)a, (byte)b);
            }
        }
    }

    /// <summary>α^i for i in 0..509, α = 2; doubled so the sum of two logarithms needs no modulo.</summary>
    public static ReadOnlySpan<byte> ExpTable => s_exp;

    /// <summary>log_α(x) in 0..254 for x in 1..255 (entry 0 is meaningless).</summary>
    public static ReadOnlySpan<byte> LogTable => s_log;

    /// <summary>a·b in the field.</summary>
    public static byte Multiply(byte a, byte b) => a == 0 || b == 0 ? (byte)0 : s_exp[s_log[a] + s_log[b]];

    /// <summary>The b with a·b = 1; <paramref name="a"/> must not be 0.</summary>
    public static byte Inverse(byte a)
    {
        ArgumentOutOfRangeException.ThrowIfZero(a);
        return s_exp[255 - s_log[a]];
    }

    /// <summary>The 256 products c·x for x = 0..255, for table-driven scalar multiplication.</summary>
    public static ReadOnlySpan<byte> ProductRow(byte c) => s_products.AsSpan(c << 8, 256);

    /// <summary>
    /// Fills <paramref name="matrix"/> (rows × k, row-major) as ISA-L's gf_gen_cauchy1_matrix does: identity on top,
    /// then rows i ≥ k with a[i][j] = 1 / (i ⊕ j), so every k × k submatrix is invertible.
    /// </summary>
    public static void GenerateCauchyMatrix(Span<byte> matrix, int rows, int k)
    {
        matrix[..(rows * k)].Clear();
        for (var i = 0; i < k; i++)
        {
            matrix[(i * k) + i] = 1;
        }

        for (var i = k; i < rows; i++)
        {
            for (var j = 0; j < k; j++)
            {
                matrix[(i * k) + j] = Inverse((byte)(i ^ j));
            }
        }
    }

    /// <summary>Inverts the n × n <paramref name="matrix"/> (destroyed) into <paramref name="inverse"/>; false when singular.</summary>
    public static bool TryInvert(Span<byte> matrix, Span<byte> inverse, int n)
    {
        inverse[..(n * n)].Clear();
        for (var i = 0; i < n; i++)
        {
            inverse[(i * n) + i] = 1;
        }

        for (var column = 0; column < n; column++)
        {
            var pivot = column;
            while (pivot < n && matrix[(pivot * n) + column] == 0)
            {
                pivot++;
            }

            if (pivot == n)
            {
                return false;
            }

            if (pivot != column)
            {
                SwapRows(matrix, n, pivot, column);
                SwapRows(inverse, n, pivot, column);
            }

            var scale = Inverse(matrix[(column * n) + column]);
            ScaleRow(matrix.Slice(column * n, n), scale);
            ScaleRow(inverse.Slice(column * n, n), scale);
            for (var row = 0; row < n; row++)
            {
                var factor = matrix[(row * n) + column];
                if (row == column || factor == 0)
                {
                    continue;
                }

                AddScaledRow(matrix.Slice(row * n, n), matrix.Slice(column * n, n), factor);
                AddScaledRow(inverse.Slice(row * n, n), inverse.Slice(column * n, n), factor);
            }
        }

        return true;
    }

    /// <summary>product (r × n) = left (r × k) · right (k × n), all row-major.</summary>
    public static void MultiplyMatrices(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> product, int r, int k, int n)
    {
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j < n; j++)
            {
                byte sum = 0;
                for (var t = 0; t < k; t++)
                {
                    sum ^= Multiply(left[(i * k) + t], right[(t * n) + j]);
                }

                product[(i * n) + j] = sum;
            }
        }
    }

    /// <summary>
    /// The 8×8 bit matrix for GF2P8AFFINEQB that multiplies a byte by <paramref name="c"/>: byte 7−i of the result
    /// selects which input bits feed output bit i.
    /// </summary>
    public static ulong AffineMatrix(byte c)
    {
        ulong matrix = 0;
        for (var outputBit = 0; outputBit < 8; outputBit++)
        {
            var row = 0;
            for (var inputBit = 0; inputBit < 8; inputBit++)
            {
                if (((Multiply(c, (byte)(1 << inputBit)) >> outputBit) & 1) != 0)
                {
                    row |= 1 << inputBit;
                }
            }

            matrix |= (ulong)row << (8 * (7 - outputBit));
        }

        return matrix;
    }

    private static void SwapRows(Span<byte> matrix, int n, int a, int b)
    {
        var rowA = matrix.Slice(a * n, n);
        var rowB = matrix.Slice(b * n, n);
        for (var i = 0; i < n; i++)
        {
            (rowA[i], rowB[i]) = (rowB[i], rowA[i]);
        }
    }

    private static void ScaleRow(Span<byte> row, byte scale)
    {
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = Multiply(row[i], scale);
        }
    }

    private static void AddScaledRow(Span<byte> target, ReadOnlySpan<byte> source, byte factor)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] ^= Multiply(source[i], factor);
        }
    }
}
