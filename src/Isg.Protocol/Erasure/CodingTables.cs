namespace Isg.Protocol.Erasure;

/// <summary>
/// A rows × k coefficient matrix expanded for one engine: ISA-L's 32-byte tables, or the managed nibble tables
/// (16 products of the low nibble, 16 of the high nibble) and GF2P8AFFINEQB matrices. Immutable once built.
/// </summary>
internal sealed class CodingTables(int rows, int k, byte[] coefficients, byte[] nibbles, ulong[] affine)
{
    /// <summary>Output count.</summary>
    public int Rows { get; } = rows;

    /// <summary>Source count.</summary>
    public int K { get; } = k;

    /// <summary>The rows × k coefficients, row-major.</summary>
    public byte[] Coefficients { get; } = coefficients;

    /// <summary>32 bytes per coefficient in row-major order (ISA-L's ec_init_tables output for the ISA-L engine).</summary>
    public byte[] Nibbles { get; } = nibbles;

    /// <summary>One affine matrix per coefficient (managed engine only; empty for ISA-L).</summary>
    public ulong[] Affine { get; } = affine;
}
