using Isg.Protocol.Errors;

namespace Isg.Protocol.Paths;

/// <summary>
/// Paths as the catalogue stores them: relative, '/'-separated, no empty, "." or ".." segments, no NUL.
/// The empty string names the root (everything).
/// </summary>
public static class CatalogPath
{
    /// <summary>Longest path we accept, in UTF-16 code units (Linux PATH_MAX is 4096 bytes).</summary>
    public const int MaxLength = 4096;

    /// <summary>
    /// Normalises user or peer text into catalogue form, tar style: a leading '/' is dropped, "." and empty
    /// segments vanish, ".." removes the previous segment and may not climb above the root.
    /// </summary>
    public static bool TryNormalize(string text, out string path, out ProtocolError error)
    {
        ArgumentNullException.ThrowIfNull(text);
        path = string.Empty;
        if (text.Length > MaxLength)
        {
            error = ProtocolError.Of(ProtocolErrorKind.TooLarge, $"path longer than {MaxLength} characters");
            return false;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, "path contains a NUL character");
            return false;
        }

        var segments = new List<string>();
        foreach (var segment in text.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    error = ProtocolError.Of(ProtocolErrorKind.BadText, $"path '{text}' climbs above the root");
                    return false;
                }

                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        path = string.Join('/', segments);
        error = default;
        return true;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="prefix"/> itself or lies below it.</summary>
    public static bool IsUnder(string path, string prefix)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(prefix);
        return prefix.Length == 0
            || (path.StartsWith(prefix, StringComparison.Ordinal)
                && (path.Length == prefix.Length || path[prefix.Length] == '/'));
    }

    /// <summary>The part of <paramref name="path"/> below <paramref name="prefix"/> ("" when equal).</summary>
    public static string RelativeTo(string path, string prefix)
    {
        if (!IsUnder(path, prefix))
        {
            throw new ArgumentException($"'{path}' is not under '{prefix}'", nameof(path));
        }

        return path.Length == prefix.Length ? string.Empty : path[(prefix.Length == 0 ? 0 : prefix.Length + 1)..];
    }

    /// <summary>The last segment ("" for the root).</summary>
    public static string Name(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path[(slash + 1)..];
    }
}
