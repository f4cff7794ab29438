using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Isg.Protocol.Frames;
using Isg.TestKit;

namespace Isg.Benchmarks;

/// <summary>Encode and decode of one full 1920x1080 frame per frame-codec profile; throughput counts payload bytes.</summary>
[MemoryDiagnoser]
[Config(typeof(FrameCodecConfig))]
public class FrameCodecBenchmarks
{
    private const int Width = 1920;
    private const int Height = 1080;

    private IFrameCodec _codec = null!;
    private byte[] _payload = [];
    private byte[] _frame = [];
    private byte[] _decoded = [];

    /// <summary>Mode, cell (or module) size and bits per channel, as "mode/cell/bits".</summary>
    [Params("Rgb/1/8", "Rgb/4/8", "Rgb/4/2", "Rgb/1/4", "Gray4/4/0", "Qr/2/0", "Qr/4/0")]
    public string Profile { get; set; } = "Rgb/1/8";

    [GlobalSetup]
    public void Setup()
    {
        _codec = CreateCodec(Profile);
        _payload = SampleData.RandomBytes(_codec.PayloadBytesPerFrame, 1);
        _frame = new byte[_codec.FrameBytes];
        _decoded = new byte[_codec.PayloadBytesPerFrame];
        _codec.Encode(_payload, _frame);
    }

    [Benchmark]
    public void Encode() => _codec.Encode(_payload, _frame);

    [Benchmark]
    public bool Decode() => _codec.TryDecode(_frame, _decoded, out _, out _);

    private static IFrameCodec CreateCodec(string profile)
    {
        var parts = profile.Split('/');
        return FrameCodecFactory.Create(
            Enum.Parse<VideoMode>(parts[0]), Width, Height,
            int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed class FrameCodecConfig : ManualConfig
    {
        public FrameCodecConfig() => AddColumn(new ThroughputColumn(
            PayloadBytes, "Payload MB/s", 1e6, "Payload bytes per frame per second, in 10^6"));

        private static long PayloadBytes(BenchmarkCase benchmarkCase) =>
            CreateCodec((string)benchmarkCase.Parameters["Profile"]).PayloadBytesPerFrame;
    }
}
