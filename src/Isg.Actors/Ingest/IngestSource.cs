namespace Isg.Actors.Ingest;

/// <summary>A local file or directory to add, and the catalogue path it is stored under.</summary>
public sealed record IngestSource(string LocalPath, string CatalogPath);
