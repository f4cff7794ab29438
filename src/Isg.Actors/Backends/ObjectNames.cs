using System.Buffers;

namespace Isg.Actors.Backends;

/// <summary>
/// The object names Isg uses: lowercase letters and digits, 16 to 128 characters (HMAC hex, CIDs). Never user
/// paths, so a backend that maps names to files can check them instead of escaping them.
/// </summary>
public static class ObjectNames
{
    /// <summary>Shortest valid name.</summary>
    public const int MinLength = 16;

    /// <summary>Longest valid name.</summary>
    public const int MaxLength = 128;

    private static readonly SearchValues<char> s_allowed = SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyz");

    /// <summary>Whether <paramref name="name"/> matches <c>^[0-9a-z]{16,128}$</c>.</summary>
    public static bool IsValid(ReadOnlySpan<char> name) =>
        name.Length is >= MinLength and <= MaxLength && HasOnlyValidCharacters(name);

    /// <summary>Whether every character of <paramref name="text"/> is one a name may contain (any length).</summary>
    public static bool HasOnlyValidCharacters(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(s_allowed);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is valid.</summary>
    public static void ThrowIfInvalid(string name, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(name))] string? parameterName = null)
    {
        ArgumentNullException.ThrowIfNull(name, parameterName);
        if (!IsValid(name))
        {
            throw new ArgumentException(
                $"object names are {MinLength}-{MaxLength} characters of [0-9a-z]; got '{(name.Length > 40 ? name[..40] + "…" : name)}' ({name.Length} characters)",
                parameterName);
        }
    }
}
