using Isg.Protocol.Frames;
using Isg.Protocol.Keys;
using Isg.Protocol.Video;

namespace Isg.Protocol.Tests.Video;

/// <summary>Parameters and headers the container tests share.</summary>
internal static class VideoTestData
{
    public static VideoParameters Parameters { get; } = new(VideoMode.BlackWhite, 320, 240, 2, 1, 16, 4, 2, 1, 30);

    public static VideoMetadata Metadata(string name = "holiday photos.tar") =>
        new(123_456_789, Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray(), name);

    public static VideoHeader ClearHeader(VideoParameters? parameters = null) =>
        VideoHeader.Create(parameters ?? Parameters, 0xA1B2C3D4, 5000, Metadata(), null, null, []);

    public static (VideoHeader Header, VideoKeys Keys) EncryptedHeader(string passphrase = "correct horse")
    {
        var salt = Enumerable.Range(0, VideoKeys.SaltLength).Select(i => (byte)i).ToArray();
        var keys = VideoKeys.Derive(System.Text.Encoding.UTF8.GetBytes(passphrase), salt, Argon2Parameters.ForTests);
        return (VideoHeader.Create(Parameters, 7, 5000, Metadata(), keys, Argon2Parameters.ForTests, salt), keys);
    }
}
