namespace Isg.Actors.Ingest;

/// <summary>How an add behaves. <paramref name="Reread"/>: read files even when size and mtime match the catalogue.</summary>
public sealed record IngestOptions(bool Reread = false);
