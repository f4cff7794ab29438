namespace Isg.Actors.Video;

/// <summary>
/// What to decode: the video <paramref name="InputPath"/> into <paramref name="OutputPath"/> (a file, or an existing
/// directory that receives the file under the name stored in the video), with <paramref name="Passphrase"/> for an
/// encrypted video.
/// </summary>
public sealed record VideoDecodeRequest(string InputPath, string OutputPath, string? Passphrase);
