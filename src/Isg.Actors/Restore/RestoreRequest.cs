namespace Isg.Actors.Restore;

/// <summary>Restore the catalogue path <paramref name="CatalogPath"/> (file or directory) to <paramref name="OutputPath"/>.</summary>
public sealed record RestoreRequest(string CatalogPath, string OutputPath, bool Overwrite);
