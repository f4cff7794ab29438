using Google.Protobuf;
using Isg.Protocol.Crdt;
using static Isg.Protocol.Tests.Crdt.CrdtSamples;
using Wire = Isg.Protocol.Peers.Wire;

namespace Isg.Protocol.Tests.Crdt;

public sealed class CrdtWireTests
{
    private static CatalogOperation Sample(PathVersion? version) =>
        new(new OperationId(Device(1), 42), new HlcTimestamp(1_700_000_000_123, 7, Device(1).TieBreak), "dir/a file.txt", version,
            [new OperationId(Device(2), 3), new OperationId(Device(1), 41)]);

    [Fact]
    public void TryFromWire_RoundTrip_EqualOperation()
    {
        foreach (var original in new[] { Sample(Version(3)), Sample(null) })
        {
            var bytes = CrdtWire.ToWire(original).ToByteArray();

            Assert.True(CrdtWire.TryFromWire(Wire.CatalogOperation.Parser.ParseFrom(bytes), out var read, out var error), error.Message);
            Assert.Equal(original.Id, read.Id);
            Assert.Equal(original.Clock, read.Clock);
            Assert.Equal(original.Path, read.Path);
            Assert.Equal(original.Version, read.Version);
            Assert.Equal(original.Supersedes, read.Supersedes);
        }
    }

    [Fact]
    public void TryFromWire_VersionVectorRoundTrip_Equal()
    {
        var vector = VersionVector.From([new(Device(1), 5UL), new(Device(2), 9UL)]);

        Assert.True(CrdtWire.TryFromWire(CrdtWire.ToWire(vector), out var read, out _));
        Assert.Equal(vector, read);
    }

    public static TheoryData<string> BadMutations() => new()
    {
        "short device", "sequence zero", "absolute path", "dotdot path", "empty path", "double slash", "no clock",
        "wall too large", "logical too large", "bad merkle length", "kind 3", "manifest garbage", "manifest for other root",
        "file without manifest",
    };

    [Theory]
    [MemberData(nameof(BadMutations))]
    public void TryFromWire_BadField_FailsWithTypedError(string mutation)
    {
        var message = CrdtWire.ToWire(Sample(Version(3)));
        switch (mutation)
        {
            case "short device": message.Id.DeviceId = ByteString.CopyFrom(new byte[31]); break;
            case "sequence zero": message.Id.Sequence = 0; break;
            case "absolute path": message.Path = "/etc/passwd"; break;
            case "dotdot path": message.Path = "../x"; break;
            case "empty path": message.Path = string.Empty; break;
            case "double slash": message.Path = "a//b"; break;
            case "no clock": message.Hlc = null; break;
            case "wall too large": message.Hlc.WallMs = ulong.MaxValue; break;
            case "logical too large": message.Hlc.Logical = 70_000; break;
            case "bad merkle length": message.Version.MerkleRoot = ByteString.CopyFrom(new byte[5]); break;
            case "kind 3": message.Version.Kind = 3; break;
            case "manifest garbage": message.Version.Manifest = ByteString.CopyFrom(0xff, 0xff, 0xff); break;
            case "manifest for other root": message.Version.Manifest = ByteString.CopyFrom(Version(4).Manifest); break;
            case "file without manifest": message.Version.Manifest = ByteString.Empty; break;
        }

        Assert.False(CrdtWire.TryFromWire(message, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    [Fact]
    public void TryFromWire_RandomBytes_FailsOnlyWithTypedErrors()
    {
        var random = new Random(5);
        var valid = CrdtWire.ToWire(Sample(Version(1))).ToByteArray();
        for (var i = 0; i < 5000; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            Wire.CatalogOperation message;
            try
            {
                message = Wire.CatalogOperation.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                continue;
            }

            if (CrdtWire.TryFromWire(message, out var operation, out var error))
            {
                Assert.NotNull(operation);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error.Message));
            }
        }
    }
}
