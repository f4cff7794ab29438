using System.Security.Cryptography;

namespace Isg.Actors.Backends.Video;

/// <summary>The ids of packs (and of the videos that hold them): 16 lowercase hex digits, random, so they say nothing about the contents.</summary>
public static class VideoPackIds
{
    /// <summary>Random bytes in an id.</summary>
    public const int Bytes = 8;

    /// <summary>A new random id.</summary>
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Bytes));

    /// <summary>Whether <paramref name="text"/> has the form of an id.</summary>
    public static bool IsId(ReadOnlySpan<char> text) => text.Length == Bytes * 2 && !text.ContainsAnyExcept("0123456789abcdef");

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="id"/> is an id.</summary>
    public static void ThrowIfInvalid(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!IsId(id))
        {
            throw new ArgumentException($"'{id}' is not a pack id (16 lowercase hex digits)", nameof(id));
        }
    }
}
