using Isg.Protocol.Peers;

namespace Isg.Protocol.Crdt;

/// <summary>
/// Names the copy that keeps a losing concurrent version of a path visible: "dir/report.conflict-LOSER-WINNER.txt",
/// where LOSER is the short id of the device whose version the copy holds and WINNER the one whose version kept the
/// name. Every device derives the same name from the same operations.
/// </summary>
public static class ConflictCopyName
{
    /// <summary>The marker between a name's stem and the two device ids.</summary>
    public const string Marker = ".conflict-";

    /// <summary>The copy's path for <paramref name="path"/>, holding <paramref name="loser"/>'s version.</summary>
    public static string For(string path, DeviceId loser, DeviceId winner)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];

        // The extension stays last so the copy opens with the same program; a leading dot is a hidden file's
        // name, not an extension.
        var dot = name.LastIndexOf('.');
        var (stem, extension) = dot > 0 ? (name[..dot], name[dot..]) : (name, string.Empty);
        return path[..(slash + 1)] + stem + Marker + loser.ShortId + "-" + winner.ShortId + extension;
    }
}
