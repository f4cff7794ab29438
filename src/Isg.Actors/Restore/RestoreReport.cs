namespace Isg.Actors.Restore;

/// <summary>
/// What a restore wrote; files listed in <see cref="Failures"/> were not written (no partial file remains).
/// <paramref name="CorruptFiles"/> of them failed because stored data failed verification (a block missing or
/// damaged); the others for local reasons (the target exists, a write failed).
/// </summary>
public sealed record RestoreReport(int Files, long Bytes, IReadOnlyList<string> Failures, int CorruptFiles);
