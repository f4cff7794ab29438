using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Isg.TestKit;

/// <summary>How much of a file sits in the page cache: mincore(2) on a read-only mapping, which reports without faulting pages in.</summary>
public static partial class PageCache
{
    /// <summary>The number of the file's pages that are resident.</summary>
    public static int ResidentPages(string path) => ResidentPages(path, 0, new FileInfo(path).Length);

    /// <summary>The number of resident pages among those of <paramref name="length"/> bytes at <paramref name="offset"/> (page-aligned) of the file.</summary>
    public static int ResidentPages(string path, long offset, long length)
    {
        if (length == 0)
        {
            return 0;
        }

        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = file.CreateViewAccessor(offset, length, MemoryMappedFileAccess.Read);
        var vector = new byte[PagesOf(length)];
        var handle = view.SafeMemoryMappedViewHandle;
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (MinCore(handle.DangerousGetHandle() + (nint)view.PointerOffset, (nuint)length, vector) != 0)
            {
                throw new IOException($"mincore of {path} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            handle.DangerousRelease();
        }

        return vector.Count(page => (page & 1) != 0);
    }

    /// <summary>The number of pages <paramref name="length"/> bytes span.</summary>
    public static int PagesOf(long length) => (int)((length + Environment.SystemPageSize - 1) / Environment.SystemPageSize);

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static partial int MinCore(nint address, nuint length, [Out] byte[] vector);
}
