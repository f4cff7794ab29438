namespace Isg.Actors.Video;

/// <summary>
/// What to decode: the video <paramref name="InputPath"/> into <paramref name="OutputPath"/> (a file, or an existing
/// directory that receives the file under the name stored in the video), with <paramref name="Passphrase"/> asked for (UTF-8)
/// only when the video turns out to be encrypted.
/// </summary>
public sealed record VideoDecodeRequest(string InputPath, string OutputPath, Func<byte[]>? Passphrase)
{
    /// <summary>
    /// Measure rather than restore (<c>isg encode --probe</c>): a group that cannot be rebuilt is counted in
    /// <see cref="VideoDecodeStats.LostGroups"/> and written as zeros instead of failing the decode, and the output is
    /// kept without its SHA-256 being enforced, so the caller can compare it with the original.
    /// </summary>
    public bool MeasureOnly { get; init; }
}
