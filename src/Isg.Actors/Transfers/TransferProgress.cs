namespace Isg.Actors.Transfers;

/// <summary>
/// A progress report of an add, get or check: cumulative bytes and files against the totals found by the
/// scan. Reported synchronously, in order, from the job's actor. <see cref="Omitted"/>: how many file reports an
/// <see cref="TransferEvent.Omitted"/> report stands for.
/// </summary>
public sealed record TransferProgress(
    TransferEvent Event,
    string Path,
    long Bytes,
    long TotalBytes,
    int Files,
    int TotalFiles,
    string? Detail = null,
    int? Omitted = null);
