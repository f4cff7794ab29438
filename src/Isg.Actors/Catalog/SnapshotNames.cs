namespace Isg.Actors.Catalog;

/// <summary>The rules for snapshot names: 1 to 128 characters, no control characters, not all digits (those are ids).</summary>
public static class SnapshotNames
{
    /// <summary>The longest name in characters.</summary>
    public const int MaxLength = 128;

    /// <summary>Why <paramref name="name"/> cannot name a snapshot, or null when it can.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "a snapshot name cannot be empty";
        }

        if (name.Length > MaxLength)
        {
            return $"a snapshot name has at most {MaxLength} characters";
        }

        if (name.Any(char.IsControl))
        {
            return "a snapshot name cannot contain control characters";
        }

        return name.All(char.IsAsciiDigit) ? $"'{name}' would read as a snapshot id: a name needs a character other than a digit" : null;
    }
}
