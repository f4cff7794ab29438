namespace Isg.Actors.Ingest;

/// <summary>What an add did. Every file counted in <see cref="FilesAdded"/> is committed.</summary>
public sealed record IngestReport(
    int FilesAdded,
    int FilesUnchanged,
    int FilesFailed,
    long BytesRead,
    long BytesStored,
    int NewBlocks,
    int DedupBlocks,
    IReadOnlyList<string> Failures);
