namespace Isg.Actors.Catalog;

/// <summary>No snapshot has the id or name the user gave.</summary>
public sealed class SnapshotNotFoundException(string idOrName) : Exception($"no snapshot '{idOrName}'")
{
    /// <summary>The id or name that was asked for.</summary>
    public string IdOrName { get; } = idOrName;
}
