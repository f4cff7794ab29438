using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>Builds mDNS queries and responses that fit in one packet each, splitting as RFC 6762 §7.2 and §17 allow.</summary>
internal static class MdnsPackets
{
    /// <summary>
    /// Responses carrying every answer: one packet when it fits; otherwise the answers split over several packets.
    /// Additional records are optional and go in only where they fit.
    /// </summary>
    public static IEnumerable<DnsMessage> Responses(IReadOnlyList<DnsRecord> answers, IReadOnlyList<DnsRecord> additionals, int maxSize,
        ushort id = 0, IReadOnlyList<DnsQuestion>? questions = null)
    {
        if (answers.Count > 1 && Size(Response(answers, [], id, questions)) > maxSize)
        {
            var half = answers.Count / 2;
            return Responses([.. answers.Take(half)], [], maxSize, id, questions)
                .Concat(Responses([.. answers.Skip(half)], [], maxSize, id, questions));
        }

        var fitting = new List<DnsRecord>();
        foreach (var additional in additionals)
        {
            fitting.Add(additional);
            if (Size(Response(answers, fitting, id, questions)) > maxSize)
            {
                fitting.RemoveAt(fitting.Count - 1);
            }
        }

        return [Response(answers, fitting, id, questions)];
    }

    /// <summary>
    /// Queries for <paramref name="questions"/> with <paramref name="knownAnswers"/> and (probes) <paramref name="authorities"/>:
    /// when the known answers do not fit, the first packet carries the questions and the rest follow in packets of
    /// known answers only, all but the last with TC set (RFC 6762 §7.2).
    /// </summary>
    public static IReadOnlyList<DnsMessage> Queries(IReadOnlyList<DnsQuestion> questions, IReadOnlyList<DnsRecord> knownAnswers,
        IReadOnlyList<DnsRecord> authorities, int maxSize)
    {
        var whole = Query(questions, knownAnswers, authorities, truncated: false);
        if (Size(whole) <= maxSize || knownAnswers.Count == 0)
        {
            return [whole];
        }

        var packets = new List<(IReadOnlyList<DnsQuestion> Questions, List<DnsRecord> Answers, IReadOnlyList<DnsRecord> Authorities)>();
        var current = (Questions: questions, Answers: new List<DnsRecord>(), Authorities: authorities);
        foreach (var answer in knownAnswers)
        {
            current.Answers.Add(answer);
            if (current.Answers.Count > 1 && Size(Query(current.Questions, current.Answers, current.Authorities, truncated: true)) > maxSize)
            {
                current.Answers.RemoveAt(current.Answers.Count - 1);
                packets.Add(current);
                current = ([], [answer], []);
            }
        }

        packets.Add(current);
        return [.. packets.Select((p, i) => Query(p.Questions, p.Answers, p.Authorities, truncated: i < packets.Count - 1))];
    }

    private static DnsMessage Response(IReadOnlyList<DnsRecord> answers, IReadOnlyList<DnsRecord> additionals, ushort id, IReadOnlyList<DnsQuestion>? questions) =>
        new()
        {
            Id = id,
            Flags = DnsHeaderFlags.Response | DnsHeaderFlags.Authoritative,
            Questions = questions ?? [],
            Answers = [.. answers],
            Additionals = [.. additionals],
        };

    private static DnsMessage Query(IReadOnlyList<DnsQuestion> questions, IReadOnlyList<DnsRecord> answers, IReadOnlyList<DnsRecord> authorities, bool truncated) =>
        new()
        {
            Flags = truncated ? DnsHeaderFlags.Truncated : DnsHeaderFlags.None,
            Questions = [.. questions],
            Answers = [.. answers],
            Authorities = [.. authorities],
        };

    private static int Size(DnsMessage message) => message.ToArray().Length;
}
