using System.Runtime.InteropServices;

namespace Isg.Protocol.Compression;

/// <summary>Owns a <c>ZSTD_DCtx*</c>; freed when the handle is released.</summary>
internal sealed class ZstdDecompressionContext : SafeHandle
{
    public ZstdDecompressionContext()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        ZstdNative.FreeDCtx(handle);
        return true;
    }
}
