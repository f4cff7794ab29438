using Isg.Protocol.Keys;

namespace Isg.Actors.Video;

/// <summary>
/// What to encode: <paramref name="InputPath"/> into the video <paramref name="OutputPath"/> (its extension picks the
/// container, e.g. .mkv or .mp4) with <paramref name="Profile"/>; encrypted under <paramref name="Passphrase"/> (UTF-8) with
/// Argon2id at <paramref name="Kdf"/> when a passphrase is given. <paramref name="Name"/> (default: the input's file
/// name) is what the decoder will call the file.
/// </summary>
public sealed record VideoEncodeRequest(
    string InputPath, string OutputPath, VideoProfile Profile, byte[]? Passphrase, Argon2Parameters Kdf, string? Name = null);
