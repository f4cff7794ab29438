namespace Isg.Protocol.Erasure;

/// <summary>The managed dot-product loops, widest last within each family; every one gives the same bytes.</summary>
internal enum GaloisKernel
{
    /// <summary>Table lookups per byte (the reference).</summary>
    Scalar = 0,

    /// <summary>Split-nibble PSHUFB on 16-byte vectors.</summary>
    Ssse3 = 1,

    /// <summary>Split-nibble VPSHUFB on 32-byte vectors.</summary>
    Avx2 = 2,

    /// <summary>Split-nibble VPSHUFB on 64-byte vectors (AVX-512BW).</summary>
    Avx512 = 3,

    /// <summary>GF2P8AFFINEQB on 16-byte vectors.</summary>
    Gfni128 = 4,

    /// <summary>GF2P8AFFINEQB on 32-byte vectors.</summary>
    Gfni256 = 5,

    /// <summary>GF2P8AFFINEQB on 64-byte vectors.</summary>
    Gfni512 = 6,
}
