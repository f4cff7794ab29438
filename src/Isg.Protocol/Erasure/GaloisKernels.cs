using System.Runtime.Intrinsics.X86;

namespace Isg.Protocol.Erasure;

/// <summary>Which <see cref="GaloisKernel"/> values this CPU runs.</summary>
internal static class GaloisKernels
{
    /// <summary>True when the CPU and runtime support <paramref name="kernel"/>.</summary>
    public static bool IsSupported(GaloisKernel kernel) => kernel switch
    {
        GaloisKernel.Scalar => true,
        GaloisKernel.Ssse3 => Ssse3.IsSupported,
        GaloisKernel.Avx2 => Avx2.IsSupported,
        GaloisKernel.Avx512 => Avx512BW.IsSupported,
        GaloisKernel.Gfni128 => Gfni.IsSupported,
        GaloisKernel.Gfni256 => Gfni.V256.IsSupported,
        GaloisKernel.Gfni512 => Gfni.V512.IsSupported,
        _ => false,
    };

    /// <summary>The fastest supported kernel: GFNI over nibble lookups, wider over narrower.</summary>
    public static GaloisKernel Best()
    {
        ReadOnlySpan<GaloisKernel> order =
        [
            GaloisKernel.Gfni512, GaloisKernel.Gfni256, GaloisKernel.Avx512, GaloisKernel.Avx2,
            GaloisKernel.Gfni128, GaloisKernel.Ssse3,
        ];
        foreach (var kernel in order)
        {
            if (IsSupported(kernel))
            {
                return kernel;
            }
        }

        return GaloisKernel.Scalar;
    }
}
