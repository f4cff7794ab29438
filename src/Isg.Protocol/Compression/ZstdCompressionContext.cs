using System.Runtime.InteropServices;

namespace Isg.Protocol.Compression;

/// <summary>Owns a <c>ZSTD_CCtx*</c>; freed when the handle is released.</summary>
internal sealed class ZstdCompressionContext : SafeHandle
{
    public ZstdCompressionContext()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        ZstdNative.FreeCCtx(handle);
        return true;
    }
}
