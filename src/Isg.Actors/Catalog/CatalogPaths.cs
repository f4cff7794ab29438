namespace Isg.Actors.Catalog;

/// <summary>Rules for catalogue paths: relative, '/'-separated, no empty, "." or ".." segments, no NUL.</summary>
internal static class CatalogPaths
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="path"/> is a valid catalogue path.</summary>
    public static void Validate(string path, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(path, parameterName);
        var problem = Problem(path);
        if (problem is not null)
        {
            throw new ArgumentException($"'{path}' is not a catalogue path: {problem}", parameterName);
        }
    }

    /// <summary>Throws unless <paramref name="prefix"/> is empty (everything) or a valid path.</summary>
    public static void ValidatePrefix(string prefix, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(prefix, parameterName);
        if (prefix.Length != 0)
        {
            Validate(prefix, parameterName);
        }
    }

    /// <summary>
    /// The exclusive upper bound of the paths strictly below <paramref name="path"/>: they all start with
    /// path + '/', and '0' is the character after '/', so in binary (UTF-8 byte) order they lie in
    /// [path + "/", path + "0").
    /// </summary>
    public static string DescendantsUpperBound(string path) => path + "0";

    /// <summary>The inclusive lower bound of the paths strictly below <paramref name="path"/>.</summary>
    public static string DescendantsLowerBound(string path) => path + "/";

    private static string? Problem(string path)
    {
        if (path.Length == 0)
        {
            return "it is empty";
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return "it contains NUL";
        }

        var rest = path.AsSpan();
        while (true)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment.IsEmpty)
            {
                return "it has an empty segment (leading, trailing or doubled '/')";
            }

            if (segment is "." or "..")
            {
                return "it has a '.' or '..' segment";
            }

            if (slash < 0)
            {
                return null;
            }

            rest = rest[(slash + 1)..];
        }
    }
}
