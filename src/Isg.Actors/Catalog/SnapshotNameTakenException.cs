namespace Isg.Actors.Catalog;

/// <summary>A snapshot with the requested name exists already; names are unique.</summary>
public sealed class SnapshotNameTakenException(string name) : Exception($"a snapshot named '{name}' exists already")
{
    /// <summary>The name that was asked for.</summary>
    public string Name { get; } = name;
}
