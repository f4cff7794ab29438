using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>The outcome of a unicast DNS query for <see cref="Name"/>: the response when a server gave one, else why not.</summary>
public sealed record DnsQueryResult(DnsQueryStatus Status, DnsName Name, DnsMessage? Response, string? Error)
{
    /// <summary>The records of the answer section of type <typeparamref name="T"/> (none without a response).</summary>
    public IEnumerable<T> Answers<T>()
        where T : DnsRecord =>
        Response?.Answers.OfType<T>() ?? [];
}
