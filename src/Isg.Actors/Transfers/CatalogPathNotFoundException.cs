namespace Isg.Actors.Transfers;

/// <summary>A catalogue path named by the user holds nothing.</summary>
public sealed class CatalogPathNotFoundException(string path)
    : Exception($"{(path.Length == 0 ? "the repository" : path)}: not in the repository")
{
    /// <summary>The path that was asked for.</summary>
    public string CatalogPath { get; } = path;
}
