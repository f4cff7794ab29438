using System.Buffers;
using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Discovery;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Tests.Discovery;

public sealed class DnsMessageTests
{
    private const int DnsReaderJumps = 64;

    private static readonly DnsName s_service = DnsName.Parse("_isg._tcp.local");
    private static readonly DnsName s_instance = s_service.Prepend("ABCDEFG");
    private static readonly DnsName s_host = DnsName.Parse("isg-abcdefg.local");

    public static TheoryData<string> SampleNames => [.. Samples().Keys];

    [Fact]
    public void Encode_PtrQueryWithQuBit_KnownBytes()
    {
        var query = DnsMessage.Query(0, new DnsQuestion(s_service, DnsRecordType.Ptr, UnicastResponse: true));
        byte[] expected =
        [
            0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
            4, (byte)'_', (byte)'i', (byte)'s', (byte)'g', 4, (byte)'_', (byte)'t', (byte)'c', (byte)'p',
            5, (byte)'l', (byte)'o', (byte)'c', (byte)'a', (byte)'l', 0,
            0, 12, 0x80, 1,
        ];
        Assert.Equal(expected, query.ToArray());

        Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecode(expected, out var decoded, out _));
        var question = Assert.Single(decoded!.Questions);
        Assert.True(question.UnicastResponse);
        Assert.Equal(DnsClass.Internet, question.Class);
        Assert.Equal(DnsRecordType.Ptr, question.Type);
        Assert.Equal(s_service, question.Name);
    }

    [Fact]
    public void Encode_ResponseWithSharedSuffixes_CompressesWithPointers()
    {
        var response = Response(
            new PtrRecord(s_service, s_instance, 4500),
            new SrvRecord(s_instance, 0, 0, 7420, s_host, 120, cacheFlush: true));
        var bytes = response.ToArray();

        // Header 12; PTR: owner 17, fixed 10, target "ABCDEFG" label 8 + pointer 2; SRV: owner pointer 2, fixed 10,
        // 6 bytes of priority/weight/port, target "isg-abcdefg" 12 + pointer to "local" 2.
        Assert.Equal(12 + 17 + 10 + 10 + 2 + 10 + 6 + 12 + 2, bytes.Length);
        Assert.Equal(0xC0, bytes[12 + 17 + 10 + 8]);
        Assert.Equal(12, bytes[12 + 17 + 10 + 9]);
        Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecode(bytes, out var decoded, out _));
        var srv = Assert.IsType<SrvRecord>(decoded!.Answers[1]);
        Assert.Equal(s_host, srv.Target);
        Assert.Equal(s_instance, srv.Name);
        Assert.True(srv.CacheFlush);
        Assert.False(decoded.Answers[0].CacheFlush);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void ToArray_TryDecode_RoundTrips(string sample)
    {
        var message = Samples()[sample];
        var bytes = message.ToArray();
        Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecode(bytes, out var decoded, out var error));
        Assert.Equal(default, error);
        AssertSame(message, decoded!);
        Assert.Equal(bytes, decoded!.ToArray());

        var writer = new ArrayBufferWriter<byte>();
        Assert.Equal(bytes.Length, message.Encode(writer));
        Assert.Equal(bytes, writer.WrittenSpan.ToArray());
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void TryDecode_SplitAtEveryOffset_PrefixNeedsMoreThenWholeDecodes(string sample)
    {
        var bytes = Samples()[sample].ToArray();
        for (var split = 0; split < bytes.Length; split++)
        {
            Assert.Equal(DecodeStatus.NeedMoreData, DnsMessage.TryDecode(bytes.AsSpan(0, split), out var partial, out var error));
            Assert.Null(partial);
            Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);

            // The rest arrives (a TCP reader appending to its buffer): the whole decodes.
            var buffer = new ArrayBufferWriter<byte>();
            buffer.Write(bytes.AsSpan(0, split));
            buffer.Write(bytes.AsSpan(split));
            Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecode(buffer.WrittenSpan, out _, out _));
        }
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void TryDecodeTcp_OneByteAtATime_DoneExactlyAtLastByte(string sample)
    {
        var message = Samples()[sample];
        var framed = new ArrayBufferWriter<byte>();
        message.EncodeTcp(framed);
        var bytes = framed.WrittenSpan.ToArray();
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var b in bytes)
        {
            Assert.Equal(DecodeStatus.NeedMoreData, DnsMessage.TryDecodeTcp(buffer.WrittenSpan, out _, out var consumed, out _));
            Assert.Equal(0, consumed);
            buffer.Write<byte>([b]);
        }

        Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecodeTcp(buffer.WrittenSpan, out var decoded, out var total, out _));
        Assert.Equal(bytes.Length, total);
        AssertSame(message, decoded!);
    }

    [Fact]
    public void TryDecodeTcp_TwoMessagesBackToBack_ConsumesOneAtATime()
    {
        var samples = Samples();
        var writer = new ArrayBufferWriter<byte>();
        samples["query"].EncodeTcp(writer);
        var first = writer.WrittenCount;
        samples["announcement"].EncodeTcp(writer);
        var bytes = writer.WrittenSpan.ToArray();

        Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecodeTcp(bytes, out var a, out var consumed, out _));
        Assert.Equal(first, consumed);
        Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecodeTcp(bytes.AsSpan(consumed), out var b, out var consumed2, out _));
        Assert.Equal(bytes.Length, consumed + consumed2);
        AssertSame(samples["query"], a!);
        AssertSame(samples["announcement"], b!);
    }

    [Fact]
    public void TryDecodeTcp_LengthShorterThanSections_Invalid()
    {
        var bytes = Samples()["announcement"].ToArray();
        byte[] framed = [0, (byte)(bytes.Length - 3), .. bytes[..^3]];
        Assert.Equal(DecodeStatus.Invalid, DnsMessage.TryDecodeTcp(framed, out var message, out var consumed, out var error));
        Assert.Null(message);
        Assert.Equal(0, consumed);
        Assert.Equal(ProtocolErrorKind.Malformed, error.Kind);
    }

    [Fact]
    public void TryDecode_TrailingBytes_Ignored()
    {
        var bytes = Samples()["announcement"].ToArray();
        Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecode([.. bytes, 0, 0, 0], out var message, out _));
        Assert.Equal(5, message!.Answers.Count);
    }

    public static TheoryData<string, byte[], ProtocolErrorKind> InvalidSamples()
    {
        byte[] header1 = [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        byte[] question1 = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        return new TheoryData<string, byte[], ProtocolErrorKind>
        {
            // A pointer to itself and a pointer forward: neither points at a prior occurrence.
            { "self pointer", [.. question1, 0xC0, 12, 0, 1, 0, 1], ProtocolErrorKind.Malformed },
            { "forward pointer", [.. question1, 0xC0, 14, 0, 1, 0, 1, 0, 0], ProtocolErrorKind.Malformed },
            // "a" then a pointer back to the start of "a": the labels reached by a pointer must end before it.
            { "pointer loop", [.. question1, 1, (byte)'a', 0xC0, 12, 0, 1, 0, 1], ProtocolErrorKind.Malformed },
            { "extended label type", [.. question1, 0x41, (byte)'a', 0, 0, 1, 0, 1], ProtocolErrorKind.BadField },
            { "reserved label type", [.. question1, 0x80, (byte)'a', 0, 0, 1, 0, 1], ProtocolErrorKind.BadField },
            { "name over 255 bytes", [.. question1, .. LongName(5), 0, 0, 1, 0, 1], ProtocolErrorKind.TooLarge },
            { "label not UTF-8", [.. question1, 2, 0xC3, 0x28, 0, 0, 1, 0, 1], ProtocolErrorKind.BadText },
            { "A with 5 bytes", [.. header1, 0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 5, 1, 2, 3, 4, 5], ProtocolErrorKind.BadField },
            { "AAAA with 4 bytes", [.. header1, 0, 0, 28, 0, 1, 0, 0, 0, 10, 0, 4, 1, 2, 3, 4], ProtocolErrorKind.BadField },
            { "TXT string past its data", [.. header1, 0, 0, 16, 0, 1, 0, 0, 0, 10, 0, 3, 5, (byte)'a', (byte)'b'], ProtocolErrorKind.Malformed },
            { "PTR target past its data", [.. header1, 0, 0, 12, 0, 1, 0, 0, 0, 10, 0, 2, 3, (byte)'a', (byte)'b', (byte)'c', 0], ProtocolErrorKind.Malformed },
            { "PTR data longer than name", [.. header1, 0, 0, 12, 0, 1, 0, 0, 0, 10, 0, 3, 0, 0, 0], ProtocolErrorKind.Malformed },
            { "SRV too short", [.. header1, 0, 0, 33, 0, 1, 0, 0, 0, 10, 0, 3, 0, 0, 0], ProtocolErrorKind.Malformed },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidSamples))]
    public void TryDecode_Malformed_InvalidWithTypedError(string name, byte[] bytes, ProtocolErrorKind kind)
    {
        Assert.Equal(DecodeStatus.Invalid, DnsMessage.TryDecode(bytes, out var message, out var error));
        Assert.Null(message);
        Assert.True(kind == error.Kind, $"{name}: {error}");
        Assert.InRange(error.Offset, 0, bytes.Length);

        // More bytes never make invalid bytes valid.
        Assert.Equal(DecodeStatus.Invalid, DnsMessage.TryDecode([.. bytes, .. new byte[64]], out _, out _));
    }

    [Theory]
    [InlineData(DnsReaderJumps, DecodeStatus.Done)]
    [InlineData(DnsReaderJumps + 1, DecodeStatus.Invalid)]
    public void TryDecode_ChainOfBackwardPointers_BoundedJumps(int jumps, DecodeStatus expected)
    {
        // Question 0 is "x"; question i is only a pointer to question i - 1: each pointer is legal, and reaching "x"
        // from question i takes i jumps.
        var bytes = new List<byte> { 0, 0, 0, 0, 0, (byte)(jumps + 1), 0, 0, 0, 0, 0, 0 };
        var previous = bytes.Count;
        bytes.AddRange([1, (byte)'x', 0, 0, 1, 0, 1]);
        for (var i = 1; i <= jumps; i++)
        {
            var here = bytes.Count;
            bytes.AddRange([(byte)(0xC0 | (previous >> 8)), (byte)previous, 0, 1, 0, 1]);
            previous = here;
        }

        Assert.Equal(expected, DnsMessage.TryDecode([.. bytes], out var message, out var error));
        if (expected == DecodeStatus.Done)
        {
            Assert.All(message!.Questions, q => Assert.Equal(DnsName.Parse("x"), q.Name));
        }
        else
        {
            Assert.Equal(ProtocolErrorKind.Malformed, error.Kind);
        }
    }

    public static TheoryData<string, byte[]> UnparsableNsecSamples()
    {
        // Header with two answers; the NSEC is first, an A record follows and must survive.
        byte[] header = [0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0];
        byte[] a = [0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4, 10, 0, 0, 1];
        return new TheoryData<string, byte[]>
        {
            { "empty window", [.. header, 0, 0, 47, 0, 1, 0, 0, 0, 10, 0, 3, 0, 0, 0, .. a] },
            { "windows descend", [.. header, 0, 0, 47, 0, 1, 0, 0, 0, 10, 0, 7, 0, 1, 1, 0x40, 0, 1, 0x40, .. a] },
            { "bitmap past data", [.. header, 0, 0, 47, 0, 1, 0, 0, 0, 10, 0, 3, 0, 0, 2, .. a] },
            { "next name past data", [.. header, 0, 0, 47, 0, 1, 0, 0, 0, 10, 0, 2, 3, (byte)'a', .. a] },
        };
    }

    [Theory]
    [MemberData(nameof(UnparsableNsecSamples))]
    public void TryDecode_NsecThatDoesNotParse_KeptOpaque_RestOfMessageRead(string name, byte[] bytes)
    {
        Assert.True(DnsMessage.TryDecode(bytes, out var message, out var error) == DecodeStatus.Done, $"{name}: {error}");
        var nsec = Assert.IsType<UnknownRecord>(message!.Answers[0]);
        Assert.Equal(DnsRecordType.Nsec, nsec.Type);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), Assert.IsType<ARecord>(message.Answers[1]).Address);
    }

    [Fact]
    public void TryDecode_HugeCountsInHeader_NeedsMoreWithoutAllocatingThem()
    {
        byte[] bytes = [0, 0, 0x84, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(DecodeStatus.NeedMoreData, DnsMessage.TryDecode(bytes, out _, out _));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 4096);
    }

    [Fact]
    public void TryDecode_MutatedOrRandomBytes_NeverThrowsAndDoneReencodes()
    {
        var samples = Samples().Values.Select(m => m.ToArray()).ToArray();
        var gen = from index in Gen.Choose(0, samples.Length - 1)
                  from position in Gen.Choose(0, 10_000)
                  from value in Gen.Choose(0, 255)
                  from flips in Gen.Choose(1, 4)
                  from length in Gen.Choose(0, 600)
                  from seed in Gen.Choose(0, int.MaxValue)
                  select (index, position, value, flips, length, seed);
        Prop.ForAll(gen.ToArbitrary(), sample =>
        {
            var random = new Random(sample.seed);
            var mutated = (byte[])samples[sample.index].Clone();
            for (var i = 0; i < sample.flips; i++)
            {
                mutated[(sample.position + (i * 7919)) % mutated.Length] = (byte)(i == 0 ? sample.value : random.Next(256));
            }

            var noise = new byte[sample.length];
            random.NextBytes(noise);

            // Random bytes behind a plausible header reach the record parsers more often than pure noise.
            byte[] headed = [0, 0, 0x84, 0, 0, 1, 0, 3, 0, 1, 0, 2, .. noise];
            foreach (var input in new[] { mutated, mutated[..(sample.position % mutated.Length)], noise, headed })
            {
                if (!DecodeNeverThrows(input))
                {
                    return false;
                }
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    [Fact]
    public void SameData_IgnoresTtlAndCacheFlush_ComparesNamesCaseInsensitively()
    {
        var a = new SrvRecord(s_instance, 0, 0, 7420, s_host, 120, cacheFlush: true);
        var b = new SrvRecord(DnsName.Parse("abcdefg._ISG._tcp.local"), 0, 0, 7420, DnsName.Parse("ISG-abcdefg.local"), 0);
        var c = new SrvRecord(s_instance, 0, 0, 7421, s_host, 120, cacheFlush: true);
        Assert.True(DnsRecord.SameData.Equals(a, b));
        Assert.Equal(DnsRecord.SameData.GetHashCode(a), DnsRecord.SameData.GetHashCode(b));
        Assert.False(DnsRecord.SameData.Equals(a, c));
        Assert.False(DnsRecord.SameData.Equals(a, new PtrRecord(s_instance, s_host, 120)));
        var v6 = new AaaaRecord(s_host, IPAddress.Parse("fe80::1%3"), 120);
        Assert.True(DnsRecord.SameData.Equals(v6, new AaaaRecord(s_host, IPAddress.Parse("fe80::1"), 10)));
        Assert.Equal(DnsRecord.SameData.GetHashCode(v6), DnsRecord.SameData.GetHashCode(new AaaaRecord(s_host, IPAddress.Parse("fe80::1"), 10)));
    }

    [Fact]
    public void WithTtlAndWithCacheFlush_KeepData()
    {
        var txt = TxtRecord.FromPairs(s_instance, [new("id", "X"), new("v", "1")], 4500, cacheFlush: true);
        var goodbye = txt.WithTtl(0);
        Assert.Equal(0u, goodbye.Ttl);
        Assert.True(goodbye.CacheFlush);
        Assert.True(DnsRecord.SameData.Equals(txt, goodbye));
        Assert.False(goodbye.WithCacheFlush(false).CacheFlush);
        Assert.Same(txt, txt.WithTtl(4500));
    }

    [Fact]
    public void Nsec_TypeBitmap_KnownBytes()
    {
        var nsec = new NsecRecord(s_host, s_host, [DnsRecordType.Aaaa, DnsRecordType.A, DnsRecordType.A, (DnsRecordType)1234], 120);
        var data = nsec.GetUncompressedData();

        // Window 0: bits 1 (A) and 28 (AAAA) in 4 bytes; window 4 (1234 = 4 * 256 + 210): bit 210 in 27 bytes.
        var bitmap = data[s_host.WireLength..];
        Assert.Equal<byte>([0, 4, 0x40, 0, 0, 0x08], bitmap[..6]);
        Assert.Equal(4, bitmap[6]);
        Assert.Equal(27, bitmap[7]);
        Assert.Equal(0x20, bitmap[8 + 26]);
        Assert.Equal([DnsRecordType.A, DnsRecordType.Aaaa, (DnsRecordType)1234], nsec.Types);
    }

    [Fact]
    public void Txt_Pairs_FirstKeyWinsCaseInsensitiveAndBooleanKeys()
    {
        var txt = new TxtRecord(s_instance,
            [Encoding.UTF8.GetBytes("ID=first"), Encoding.UTF8.GetBytes("id=second"), Encoding.UTF8.GetBytes("flag"), ReadOnlyMemory<byte>.Empty,
             Encoding.UTF8.GetBytes("empty=")], 4500);
        Assert.True(txt.TryGetValue("id", out var id));
        Assert.Equal("first", id);
        Assert.True(txt.TryGetValue("FLAG", out var flag));
        Assert.Null(flag);
        Assert.True(txt.TryGetValue("empty", out var empty));
        Assert.Equal(string.Empty, empty);
        Assert.False(txt.TryGetValue("v", out _));
        Assert.Throws<ArgumentException>(() => TxtRecord.FromPairs(s_instance, [new("a=b", "c")], 1));
        Assert.Throws<ArgumentException>(() => new TxtRecord(s_instance, [new byte[256]], 1));
    }

    [Fact]
    public void Records_WrongAddressFamilyOrTopBitClass_Throw()
    {
        Assert.Throws<ArgumentException>(() => new ARecord(s_host, IPAddress.IPv6Loopback, 1));
        Assert.Throws<ArgumentException>(() => new AaaaRecord(s_host, IPAddress.Loopback, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PtrRecord(s_service, s_instance, 1, @class: (DnsClass)0x8001));
    }

    [Fact]
    public void TryDecode_TtlWithTopBit_MeansZero()
    {
        var bytes = Response(new ARecord(s_host, IPAddress.Loopback, 120)).ToArray();
        bytes[12 + s_host.WireLength + 4] = 0x80;
        Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecode(bytes, out var message, out _));
        Assert.Equal(0u, message!.Answers[0].Ttl);
    }

    private static bool DecodeNeverThrows(byte[] input)
    {
        var status = DnsMessage.TryDecode(input, out var message, out var error);
        switch (status)
        {
            case DecodeStatus.Done:
                // Whatever decodes can be written again and reads back the same.
                var again = message!.ToArray();
                return DnsMessage.TryDecode(again, out var reread, out _) == DecodeStatus.Done
                    && reread!.AllRecords.Count() == message.AllRecords.Count()
                    && reread.AllRecords.Zip(message.AllRecords).All(p => DnsRecord.SameData.Equals(p.First, p.Second));
            case DecodeStatus.NeedMoreData:
                return message is null && error.Kind == ProtocolErrorKind.Truncated;
            default:
                return message is null && error.Kind != ProtocolErrorKind.Truncated && error.Message.Length > 0;
        }
    }

    private static byte[] LongName(int labels)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < labels; i++)
        {
            bytes.Add(63);
            bytes.AddRange(Enumerable.Repeat((byte)'a', 63));
        }

        return [.. bytes];
    }

    private static DnsMessage Response(params DnsRecord[] answers) =>
        new() { Flags = DnsHeaderFlags.Response | DnsHeaderFlags.Authoritative, Answers = answers };

    private static Dictionary<string, DnsMessage> Samples()
    {
        var txt = TxtRecord.FromPairs(s_instance, [new("id", "ABCDEFG-HIJKLMN-OPQRSTU"), new("v", "1")], 4500, cacheFlush: true);
        return new Dictionary<string, DnsMessage>
        {
            ["query"] = DnsMessage.Query(0, new DnsQuestion(s_service, DnsRecordType.Ptr)),
            ["query with known answers"] = new()
            {
                Questions = [new DnsQuestion(s_service, DnsRecordType.Ptr, UnicastResponse: true)],
                Answers = [new PtrRecord(s_service, s_instance, 3000), new PtrRecord(s_service, s_service.Prepend("other box"), 2000)],
            },
            ["probe"] = new()
            {
                Questions = [new DnsQuestion(s_instance, DnsRecordType.Any, UnicastResponse: true), new DnsQuestion(s_host, DnsRecordType.Any)],
                Authorities = [new SrvRecord(s_instance, 0, 0, 7420, s_host, 120), txt.WithCacheFlush(false), new ARecord(s_host, IPAddress.Loopback, 120)],
            },
            ["announcement"] = new()
            {
                Flags = DnsHeaderFlags.Response | DnsHeaderFlags.Authoritative,
                Answers =
                [
                    new PtrRecord(s_service, s_instance, 4500),
                    new SrvRecord(s_instance, 0, 0, 7420, s_host, 120, cacheFlush: true),
                    txt,
                    new ARecord(s_host, IPAddress.Parse("192.168.1.20"), 120, cacheFlush: true),
                    new AaaaRecord(s_host, IPAddress.Parse("fe80::1:2:3:4"), 120, cacheFlush: true),
                ],
                Additionals =
                [
                    new NsecRecord(s_host, s_host, [DnsRecordType.A, DnsRecordType.Aaaa], 120, cacheFlush: true),
                    new NsecRecord(s_instance, s_instance, [DnsRecordType.Txt, DnsRecordType.Srv], 4500, cacheFlush: true),
                ],
            },
            ["unicast response"] = new()
            {
                Id = 0xBEEF,
                Flags = DnsHeaderFlags.Response | DnsHeaderFlags.RecursionDesired | DnsHeaderFlags.RecursionAvailable,
                ResponseCode = DnsResponseCode.NameError,
                Questions = [new DnsQuestion(DnsName.Parse("isg.default.svc.cluster.local"), DnsRecordType.A)],
                Answers =
                [
                    new CnameRecord(DnsName.Parse("isg.default.svc.cluster.local"), DnsName.Parse("pods.default.svc.cluster.local"), 30),
                    new UnknownRecord(DnsName.Parse("pods.default.svc.cluster.local"), (DnsRecordType)99, [1, 2, 3, 0xC0, 0x0C], 30),
                    new UnknownRecord(DnsName.Root, DnsRecordType.Opt, [], 0, @class: (DnsClass)1232),
                ],
                Authorities = [new TxtRecord(DnsName.Root, [], 5)],
            },
            ["empty"] = new(),
        };
    }

    private static void AssertSame(DnsMessage expected, DnsMessage actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Flags, actual.Flags);
        Assert.Equal(expected.Opcode, actual.Opcode);
        Assert.Equal(expected.ResponseCode, actual.ResponseCode);
        Assert.Equal(expected.Questions, actual.Questions);
        foreach (var (e, a) in new[] { (expected.Answers, actual.Answers), (expected.Authorities, actual.Authorities), (expected.Additionals, actual.Additionals) })
        {
            Assert.Equal(e.Count, a.Count);
            for (var i = 0; i < e.Count; i++)
            {
                Assert.True(DnsRecord.SameData.Equals(e[i], a[i]), $"{e[i]} != {a[i]}");
                Assert.Equal(e[i].Ttl, a[i].Ttl);
                Assert.Equal(e[i].CacheFlush, a[i].CacheFlush);
                Assert.Equal(e[i].ToString(), a[i].ToString());
            }
        }
    }
}
