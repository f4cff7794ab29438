namespace Isg.Actors.Restore;

/// <summary>What a restore wrote; files listed in <see cref="Failures"/> were not written (no partial file remains).</summary>
public sealed record RestoreReport(int Files, long Bytes, IReadOnlyList<string> Failures);
