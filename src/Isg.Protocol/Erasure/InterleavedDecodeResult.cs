namespace Isg.Protocol.Erasure;

/// <summary>
/// Totals of one <see cref="InterleavedCode.DecodeInPlace"/>: bytes changed, codewords left uncorrectable (unchanged)
/// and codewords in all.
/// </summary>
public readonly record struct InterleavedDecodeResult(int CorrectedBytes, int FailedCodewords, int Codewords)
{
    /// <summary>True when every codeword is now valid (none was beyond the code's reach, as far as it can tell).</summary>
    public bool Success => FailedCodewords == 0;
}
