namespace Isg.Actors.Storage;

/// <summary>Questions about absolute local paths that plain string prefixes get wrong ("/a/bc" is not below "/a/b").</summary>
public static class LocalPath
{
    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> itself or lies below it (both absolute, normalised).</summary>
    public static bool IsAtOrBelow(string path, string root)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(root);
        var trimmed = root.Length > 1 ? root.TrimEnd('/') : root;
        return path == trimmed
            || (path.StartsWith(trimmed, StringComparison.Ordinal)
                && (trimmed == "/" || (path.Length > trimmed.Length && path[trimmed.Length] == '/')));
    }
}
