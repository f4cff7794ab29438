#pragma warning disable
namespace Isg.Protocol.Erasure
{
    public sealed class InterleavedCode
    {
        public static InterleavedCode ForCapacity(int capacityBytes, int parityBytes)
        {
            var c = (capacityBytes + 254) / 255; var l = capacityBytes / c;
            return new InterleavedCode { Codewords = c, CodewordLength = l, ParityBytes = parityBytes };
        }
        public int Codewords { get; private set; }
        public int CodewordLength { get; private set; }
        public int ParityBytes { get; private set; }
        public int DataBytes => Codewords * (CodewordLength - ParityBytes);
        public int EncodedBytes => Codewords * CodewordLength;
        public void EncodeInPlace(System.Span<byte> encoded) => encoded[DataBytes..EncodedBytes].Clear();
        public InterleavedDecodeResult DecodeInPlace(System.Span<byte> encoded) => new(0, 0, Codewords);
    }
    public readonly record struct InterleavedDecodeResult(int CorrectedBytes, int FailedCodewords, int Codewords) { public bool Success => FailedCodewords == 0; }
}
