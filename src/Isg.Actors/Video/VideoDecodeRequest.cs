namespace Isg.Actors.Video;

/// <summary>
/// What to decode: the video <paramref name="InputPath"/> into <paramref name="OutputPath"/> (a file, or an existing
/// directory that receives the file under the name stored in the video), with <paramref name="Passphrase"/> asked for (UTF-8)
/// only when the video turns out to be encrypted.
/// </summary>
public sealed record VideoDecodeRequest(string InputPath, string OutputPath, Func<byte[]>? Passphrase);
