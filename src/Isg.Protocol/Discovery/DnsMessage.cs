using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Discovery;

/// <summary>
/// A DNS message (RFC 1035 §4, with the mDNS bits of RFC 6762 §18): header, questions and three record sections.
/// Decoding untrusted bytes never throws; encoding compresses names. Immutable once built.
/// </summary>
public sealed class DnsMessage
{
    /// <summary>Length of the fixed header.</summary>
    public const int HeaderLength = 12;

    /// <summary>The longest message (the TCP length prefix and the UDP length are 16 bits).</summary>
    public const int MaxLength = ushort.MaxValue;

    private const int MinQuestionLength = 5;
    private const int MinRecordLength = 11;
    private const ushort FlagBits = 0x8780;

    /// <summary>The query id (0 in mDNS; echoed by unicast servers).</summary>
    public ushort Id { get; init; }

    /// <summary>QR, AA, TC, RD, RA.</summary>
    public DnsHeaderFlags Flags { get; init; }

    /// <summary>The 4-bit opcode (0: a standard query).</summary>
    public byte Opcode { get; init; }

    /// <summary>The 4-bit response code.</summary>
    public DnsResponseCode ResponseCode { get; init; }

    /// <summary>The question section.</summary>
    public IReadOnlyList<DnsQuestion> Questions { get; init; } = [];

    /// <summary>The answer section (in an mDNS query: the known answers).</summary>
    public IReadOnlyList<DnsRecord> Answers { get; init; } = [];

    /// <summary>The authority section (in an mDNS probe: the proposed records).</summary>
    public IReadOnlyList<DnsRecord> Authorities { get; init; } = [];

    /// <summary>The additional section.</summary>
    public IReadOnlyList<DnsRecord> Additionals { get; init; } = [];

    /// <summary>True for a response (QR set).</summary>
    public bool IsResponse => (Flags & DnsHeaderFlags.Response) != 0;

    /// <summary>True when TC is set.</summary>
    public bool IsTruncated => (Flags & DnsHeaderFlags.Truncated) != 0;

    /// <summary>Every record of the three record sections, in order.</summary>
    public IEnumerable<DnsRecord> AllRecords => Answers.Concat(Authorities).Concat(Additionals);

    /// <summary>
    /// Decodes one message (a UDP payload). <see cref="DecodeStatus.NeedMoreData"/> when <paramref name="input"/> ends
    /// before the message does (a datagram cut short is broken for good: treat it as invalid); bytes after the last
    /// record are ignored. Never throws on any input.
    /// </summary>
    public static DecodeStatus TryDecode(ReadOnlySpan<byte> input, out DnsMessage? message, out ProtocolError error) =>
        TryDecode(input, out message, out _, out error);

    /// <summary>
    /// Decodes one message from a TCP stream: a 16-bit big-endian length, then the message, which must fill it exactly.
    /// <paramref name="bytesConsumed"/> is set when Done.
    /// </summary>
    public static DecodeStatus TryDecodeTcp(ReadOnlySpan<byte> input, out DnsMessage? message, out int bytesConsumed, out ProtocolError error)
    {
        message = null;
        bytesConsumed = 0;
        if (input.Length < 2)
        {
            error = ProtocolError.At(ProtocolErrorKind.Truncated, input, 0, "the length prefix is incomplete");
            return DecodeStatus.NeedMoreData;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(input);
        if (input.Length < 2 + length)
        {
            error = ProtocolError.At(ProtocolErrorKind.Truncated, input, input.Length, $"the message of {length} bytes is incomplete");
            return DecodeStatus.NeedMoreData;
        }

        var status = TryDecode(input.Slice(2, length), out message, out var end, out error);
        if (status == DecodeStatus.NeedMoreData)
        {
            // The prefix promised the whole message: nothing more will complete it.
            error = error with { Kind = ProtocolErrorKind.Malformed, Offset = error.Offset + 2, Message = "the message is shorter than its sections say" };
            return DecodeStatus.Invalid;
        }

        if (status == DecodeStatus.Done && end != length)
        {
            message = null;
            error = ProtocolError.At(ProtocolErrorKind.Malformed, input, 2 + end, "bytes after the last record of a TCP message");
            return DecodeStatus.Invalid;
        }

        bytesConsumed = status == DecodeStatus.Done ? 2 + length : 0;
        return status;
    }

    /// <summary>A standard query (id, RD clear) for <paramref name="questions"/>.</summary>
    public static DnsMessage Query(ushort id, params IEnumerable<DnsQuestion> questions) => new() { Id = id, Questions = [.. questions] };

    /// <summary>Writes the message to <paramref name="destination"/>; returns its length. Throws <see cref="InvalidOperationException"/> above 65535 bytes.</summary>
    public int Encode(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var writer = Write();
        writer.CopyTo(destination);
        return writer.Length;
    }

    /// <summary>Writes the message for TCP: a 16-bit big-endian length, then the message.</summary>
    public void EncodeTcp(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var writer = Write();
        BinaryPrimitives.WriteUInt16BigEndian(destination.GetSpan(2), (ushort)writer.Length);
        destination.Advance(2);
        writer.CopyTo(destination);
    }

    /// <summary>The encoded message.</summary>
    public byte[] ToArray()
    {
        using var writer = Write();
        return writer.Written.ToArray();
    }

    /// <summary>A multi-line dump for logs.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        builder.Append("id=").Append(Id).Append(' ').Append(Flags).Append(" rcode=").Append(ResponseCode).AppendLine();
        foreach (var question in Questions)
        {
            builder.Append("  ? ").Append(question).AppendLine();
        }

        foreach (var (section, records) in new[] { ("an", Answers), ("ns", Authorities), ("ar", Additionals) })
        {
            foreach (var record in records)
            {
                builder.Append("  ").Append(section).Append(' ').Append(record).AppendLine();
            }
        }

        return builder.ToString();
    }

    private static DecodeStatus TryDecode(ReadOnlySpan<byte> input, out DnsMessage? message, out int end, out ProtocolError error)
    {
        message = null;
        end = 0;
        var reader = new DnsReader(input);
        if (!reader.TryReadUInt16(out var id)
            || !reader.TryReadUInt16(out var flags)
            || !reader.TryReadUInt16(out var questionCount)
            || !reader.TryReadUInt16(out var answerCount)
            || !reader.TryReadUInt16(out var authorityCount)
            || !reader.TryReadUInt16(out var additionalCount))
        {
            error = reader.Error;
            return reader.Status;
        }

        // Counts come from the sender: size the lists by what the input could hold, not by what the header claims.
        var questions = new List<DnsQuestion>(Math.Min(questionCount, input.Length / MinQuestionLength));
        for (var i = 0; i < questionCount; i++)
        {
            if (!reader.TryReadName(out var name) || !reader.TryReadUInt16(out var type) || !reader.TryReadUInt16(out var classField))
            {
                error = reader.Error;
                return reader.Status;
            }

            questions.Add(new DnsQuestion(name!, (DnsRecordType)type, (DnsClass)(classField & 0x7FFF), (classField & 0x8000) != 0));
        }

        if (!TryReadSection(ref reader, answerCount, out var answers)
            || !TryReadSection(ref reader, authorityCount, out var authorities)
            || !TryReadSection(ref reader, additionalCount, out var additionals))
        {
            error = reader.Error;
            return reader.Status;
        }

        end = reader.Position;
        message = new DnsMessage
        {
            Id = id,
            Flags = (DnsHeaderFlags)(flags & FlagBits),
            Opcode = (byte)((flags >> 11) & 0xF),
            ResponseCode = (DnsResponseCode)(flags & 0xF),
            Questions = questions,
            Answers = answers!,
            Authorities = authorities!,
            Additionals = additionals!,
        };
        error = default;
        return DecodeStatus.Done;
    }

    private static bool TryReadSection(ref DnsReader reader, int count, out List<DnsRecord>? records)
    {
        records = new List<DnsRecord>(Math.Min(count, (reader.Length - reader.Position) / MinRecordLength));
        for (var i = 0; i < count; i++)
        {
            if (!DnsRecord.TryRead(ref reader, out var record))
            {
                records = null;
                return false;
            }

            records.Add(record!);
        }

        return true;
    }

    private DnsWriter Write()
    {
        if (Opcode > 15 || (byte)ResponseCode > 15)
        {
            throw new InvalidOperationException("opcode and response code have 4 bits");
        }

        if (Questions.Count > ushort.MaxValue || Answers.Count > ushort.MaxValue || Authorities.Count > ushort.MaxValue || Additionals.Count > ushort.MaxValue)
        {
            throw new InvalidOperationException("a section holds at most 65535 entries");
        }

        var writer = new DnsWriter(compress: true);
        try
        {
            writer.WriteUInt16(Id);
            writer.WriteUInt16((ushort)(((ushort)Flags & FlagBits) | (Opcode << 11) | (byte)ResponseCode));
            writer.WriteUInt16((ushort)Questions.Count);
            writer.WriteUInt16((ushort)Answers.Count);
            writer.WriteUInt16((ushort)Authorities.Count);
            writer.WriteUInt16((ushort)Additionals.Count);
            foreach (var question in Questions)
            {
                writer.WriteName(question.Name);
                writer.WriteUInt16((ushort)question.Type);
                writer.WriteUInt16((ushort)(((ushort)question.Class & 0x7FFF) | (question.UnicastResponse ? 0x8000 : 0)));
            }

            foreach (var record in AllRecords)
            {
                record.Write(writer);
            }

            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }
}
