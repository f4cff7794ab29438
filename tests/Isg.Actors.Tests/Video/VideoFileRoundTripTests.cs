using Isg.Actors.Video;
using Isg.Protocol.Frames;
using Isg.Protocol.Keys;

namespace Isg.Actors.Tests.Video;

public sealed class VideoFileRoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public static TheoryData<VideoMode, VideoCodec, int> ModesAndCodecs() => new()
    {
        { VideoMode.BlackWhite, VideoCodec.Ffv1, 0 },
        { VideoMode.Gray4, VideoCodec.Ffv1, 0 },
        { VideoMode.Rgb, VideoCodec.Ffv1, 0 },
        { VideoMode.Qr, VideoCodec.Ffv1, 0 },
        { VideoMode.BlackWhite, VideoCodec.H264, 0 },
        { VideoMode.Rgb, VideoCodec.H264, 0 },
        { VideoMode.BlackWhite, VideoCodec.H264, 18 },
        { VideoMode.Gray4, VideoCodec.H264, 12 },
        { VideoMode.BlackWhite, VideoCodec.Vp9, 20 },
        { VideoMode.Rgb, VideoCodec.Vp9, 0 },
    };

    [Theory]
    [MemberData(nameof(ModesAndCodecs))]
    public async Task Decode_EveryModeThroughEveryCodec_IsBitExact(VideoMode mode, VideoCodec codec, int crf)
    {
        var (cell, bits) = mode switch
        {
            VideoMode.Rgb => (crf == 0 ? 1 : 4, crf == 0 ? 8 : 2),
            VideoMode.Qr => (2, 1),
            _ => (crf == 0 ? 1 : 4, 1),
        };
        var profile = SmallProfiles.Make(mode, mode == VideoMode.Qr ? 640 : 320, mode == VideoMode.Qr ? 480 : 240, cell, bits,
            new VideoEncoding(codec, crf, "ultrafast", 30));
        var original = SmallProfiles.WriteRandomFile(_temp.Combine("in.bin"), 40_000, (int)mode);
        var video = _temp.Combine("v." + profile.Encoding.FileExtension);

        var encoded = await VideoFileEncoder.EncodeAsync(
            new VideoEncodeRequest(_temp.Combine("in.bin"), video, profile, null, Argon2Parameters.ForTests), null, CancellationToken.None);
        var decoded = await VideoFileDecoder.DecodeAsync(new VideoDecodeRequest(video, _temp.Combine("out.bin"), null), null, CancellationToken.None);

        Assert.Equal(original, await File.ReadAllBytesAsync(_temp.Combine("out.bin")));
        Assert.Equal("in.bin", decoded.Metadata.Name);
        Assert.Equal(encoded.FramesWritten, decoded.Stats.FramesRead);
        Assert.Equal(0, decoded.Stats.Damaged);
        Assert.Equal(profile.HeaderRepeats, decoded.Stats.Foreign);
    }

    [Fact]
    public async Task Decode_IntoADirectory_UsesTheStoredName()
    {
        SmallProfiles.WriteRandomFile(_temp.Combine("report.pdf"), 10_000, 1);
        var video = _temp.Combine("v.mkv");
        await VideoFileEncoder.EncodeAsync(
            new VideoEncodeRequest(_temp.Combine("report.pdf"), video, SmallProfiles.Lossless, null, Argon2Parameters.ForTests), null, CancellationToken.None);
        var target = Directory.CreateDirectory(_temp.Combine("out")).FullName;

        var decoded = await VideoFileDecoder.DecodeAsync(new VideoDecodeRequest(video, target, null), null, CancellationToken.None);

        Assert.Equal(Path.Combine(target, "report.pdf"), decoded.OutputPath);
        Assert.Equal(await File.ReadAllBytesAsync(_temp.Combine("report.pdf")), await File.ReadAllBytesAsync(decoded.OutputPath));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(200_000)]
    public async Task Decode_EncryptedWithThePassphrase_IsBitExactAndHidesTheName(int length)
    {
        var original = SmallProfiles.WriteRandomFile(_temp.Combine("secret-plans.txt"), length, 2);
        var video = _temp.Combine("v.mkv");
        await VideoFileEncoder.EncodeAsync(new VideoEncodeRequest(_temp.Combine("secret-plans.txt"), video, SmallProfiles.Lossless,
            "hunter2"u8.ToArray(), Argon2Parameters.ForTests), null, CancellationToken.None);

        var header = await VideoFileDecoder.FindHeaderAsync(video, CancellationToken.None);
        var decoded = await VideoFileDecoder.DecodeAsync(
            new VideoDecodeRequest(video, _temp.Combine("out.bin"), () => "hunter2"u8.ToArray()), null, CancellationToken.None);

        Assert.True(header.IsEncrypted);
        Assert.DoesNotContain("secret"u8.ToArray(), header.MetadataBlob);
        Assert.Equal("secret-plans.txt", decoded.Metadata.Name);
        Assert.Equal(original, await File.ReadAllBytesAsync(_temp.Combine("out.bin")));
    }

    [Fact]
    public async Task Decode_WrongOrMissingPassphrase_IsWrongPassphraseAndWritesNothing()
    {
        SmallProfiles.WriteRandomFile(_temp.Combine("in.bin"), 5000, 3);
        var video = _temp.Combine("v.mkv");
        await VideoFileEncoder.EncodeAsync(new VideoEncodeRequest(_temp.Combine("in.bin"), video, SmallProfiles.Lossless,
            "right"u8.ToArray(), Argon2Parameters.ForTests), null, CancellationToken.None);

        var wrong = await Assert.ThrowsAsync<VideoException>(() => VideoFileDecoder.DecodeAsync(
            new VideoDecodeRequest(video, _temp.Combine("out.bin"), () => "wrong"u8.ToArray()), null, CancellationToken.None));
        var missing = await Assert.ThrowsAsync<VideoException>(() => VideoFileDecoder.DecodeAsync(
            new VideoDecodeRequest(video, _temp.Combine("out.bin"), null), null, CancellationToken.None));

        Assert.Equal(VideoErrorKind.WrongPassphrase, wrong.Kind);
        Assert.Equal(VideoErrorKind.WrongPassphrase, missing.Kind);
        Assert.False(File.Exists(_temp.Combine("out.bin")));
        Assert.Equal(["in.bin", "v.mkv"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Encode_OutputWithoutExtension_IsBadInput()
    {
        SmallProfiles.WriteRandomFile(_temp.Combine("in.bin"), 10, 4);
        var error = await Assert.ThrowsAsync<VideoException>(() => VideoFileEncoder.EncodeAsync(
            new VideoEncodeRequest(_temp.Combine("in.bin"), _temp.Combine("video"), SmallProfiles.Lossless, null, Argon2Parameters.ForTests),
            null, CancellationToken.None));
        Assert.Equal(VideoErrorKind.BadInput, error.Kind);
    }

    [Fact]
    public async Task Encode_ReportsProgressUpToTheWholePayload()
    {
        SmallProfiles.WriteRandomFile(_temp.Combine("in.bin"), 100_000, 5);
        var reports = new List<VideoProgress>();
        await VideoFileEncoder.EncodeAsync(new VideoEncodeRequest(_temp.Combine("in.bin"), _temp.Combine("v.mkv"), SmallProfiles.Lossless, null,
            Argon2Parameters.ForTests), new SyncProgress<VideoProgress>(reports.Add), CancellationToken.None);

        Assert.NotEmpty(reports);
        Assert.Equal(100_000, reports[^1].Bytes);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.Bytes <= p.Second.Bytes));
    }

    public void Dispose() => _temp.Dispose();
}
