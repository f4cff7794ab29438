using System.Globalization;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// One entry of a file tree as lstat sees it: path relative to the tree root ("" for the root itself, '/'-separated),
/// type, permission bits, size (regular files only), mtime in ns and, for a symlink, its target.
/// </summary>
public sealed record TreeEntry(string Path, int Type, int Mode, long Size, long MtimeNs, string? LinkTarget)
{
    /// <summary>Reads the entry at <paramref name="fullPath"/>, recorded as <paramref name="relative"/>.</summary>
    public static TreeEntry Read(string fullPath, string relative)
    {
        var stat = Posix.LStat(fullPath);
        return new TreeEntry(relative, stat.Type, stat.Mode, stat.IsRegular ? stat.Size : 0, stat.MtimeNs,
            stat.IsSymlink ? new FileInfo(fullPath).LinkTarget : null);
    }

    /// <summary>The type as one letter: f, d, l, or ? for anything else.</summary>
    public char Kind => Type switch
    {
        PosixStat.Regular => 'f',
        PosixStat.Directory => 'd',
        PosixStat.Symlink => 'l',
        _ => '?',
    };

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Kind} {Convert.ToString(Mode, 8)} {Size} {MtimeNs / 1_000_000_000}.{MtimeNs % 1_000_000_000:D9} '{Path}'{(LinkTarget is null ? "" : " -> " + LinkTarget)}");
}
