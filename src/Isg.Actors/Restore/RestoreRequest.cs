namespace Isg.Actors.Restore;

/// <summary>
/// Restore the catalogue path <paramref name="CatalogPath"/> (file or directory) to <paramref name="OutputPath"/>
/// (absolute, or relative to the current directory; into it, by name, when it is an existing folder and the path a file).
/// With <paramref name="SnapshotId"/>, the path is read from that snapshot instead of the live catalogue.
/// </summary>
public sealed record RestoreRequest(string CatalogPath, string OutputPath, bool Overwrite, long? SnapshotId = null);
