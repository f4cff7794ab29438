namespace Isg.Actors.Transfers;

/// <summary>A non-recursive removal named a directory that still has entries below it.</summary>
public sealed class CatalogPathIsDirectoryException(string path)
    : Exception($"{path} is a directory with entries below it: use --recursive")
{
    /// <summary>The directory that was named.</summary>
    public string CatalogPath { get; } = path;
}
