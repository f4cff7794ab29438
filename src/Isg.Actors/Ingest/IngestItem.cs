using Isg.Actors.Catalog;

namespace Isg.Actors.Ingest;

/// <summary>One entry found by the walk: what to read and what to record about it.</summary>
public sealed record IngestItem(
    string LocalPath,
    string CatalogPath,
    FileKind Kind,
    long Size,
    int Mode,
    long MtimeUnixNs,
    string? LinkTarget);
