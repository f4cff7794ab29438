namespace Isg.Protocol.Erasure;

/// <summary>ISA-L through P/Invoke: its Cauchy matrix, its inversion and its SIMD dot products.</summary>
internal sealed unsafe class IsalEngine : ErasureEngine
{
    /// <summary>The one instance; callers check <see cref="IsalNative.IsAvailable"/> first.</summary>
    public static readonly IsalEngine Instance = new();

    private IsalEngine()
    {
    }

    /// <inheritdoc />
    public override ErasureImplementation Implementation => ErasureImplementation.Isal;

    /// <inheritdoc />
    public override void GenerateMatrix(Span<byte> matrix, int rows, int k)
    {
        fixed (byte* a = matrix)
        {
            IsalNative.GenerateCauchy1Matrix(a, rows, k);
        }
    }

    /// <inheritdoc />
    public override bool TryInvert(Span<byte> matrix, Span<byte> inverse, int n)
    {
        fixed (byte* input = matrix)
        fixed (byte* output = inverse)
        {
            return IsalNative.InvertMatrix(input, output, n) == 0;
        }
    }

    /// <inheritdoc />
    public override CodingTables BuildTables(ReadOnlySpan<byte> coefficients, int rows, int k)
    {
        var copy = coefficients[..(rows * k)].ToArray();
        var tables = new byte[Math.Max(1, 32 * rows * k)];
        fixed (byte* a = copy)
        fixed (byte* t = tables)
        {
            IsalNative.InitTables(k, rows, a, t);
        }

        return new CodingTables(rows, k, copy, tables, []);
    }

    /// <inheritdoc />
    public override void Apply(CodingTables tables, int length, byte** sources, byte** outputs)
    {
        fixed (byte* t = tables.Nibbles)
        {
            IsalNative.EncodeData(length, tables.K, tables.Rows, t, sources, outputs);
        }
    }
}
