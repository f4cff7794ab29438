using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Isg.Protocol.Discovery;
using Isg.Protocol.Errors;

namespace Isg.Actors.Discovery;

/// <summary>
/// A small stub resolver on the DNS codec: asks the name servers of a <see cref="ResolvConf"/> in turn over UDP, with
/// a random query id and a timeout per try, and again over TCP when the UDP answer comes back truncated. Responses
/// that do not match the query (id, question, sender) are ignored. Expected failures are results, not exceptions;
/// only cancellation throws. Thread-safe.
/// </summary>
public sealed class UnicastDnsClient(ResolvConf configuration, TimeProvider? timeProvider = null)
{
    private const int MaxUdpResponse = 4096;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>The configuration in use.</summary>
    public ResolvConf Configuration { get; } = configuration ?? throw new ArgumentNullException(nameof(configuration));

    /// <summary>
    /// Queries <paramref name="name"/> as given (absolute) for <paramref name="type"/>: each server in order, for
    /// <see cref="ResolvConf.Attempts"/> rounds, until one answers NOERROR or NXDOMAIN.
    /// </summary>
    public async Task<DnsQueryResult> QueryAsync(DnsName name, DnsRecordType type, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var error = "no name server configured";
        for (var attempt = 0; attempt < Configuration.Attempts; attempt++)
        {
            foreach (var server in Configuration.Nameservers)
            {
                var (response, failure) = await ExchangeAsync(server, name, type, cancellationToken).ConfigureAwait(false);
                if (response is null)
                {
                    error = $"{server}: {failure}";
                    continue;
                }

                switch (response.ResponseCode)
                {
                    case DnsResponseCode.NoError:
                        return new DnsQueryResult(DnsQueryStatus.Answered, name, response, null);
                    case DnsResponseCode.NameError:
                        return new DnsQueryResult(DnsQueryStatus.NameError, name, response, $"{name} does not exist");
                    default:
                        error = $"{server} answered {response.ResponseCode}";
                        break;
                }
            }
        }

        return new DnsQueryResult(DnsQueryStatus.Failed, name, null, error);
    }

    /// <summary>
    /// Queries <paramref name="name"/> the way the C library does: a name ending in a dot as is; otherwise with each
    /// search domain appended, tried after the name itself when it has at least ndots dots and before it otherwise.
    /// Returns the first result that has records of <paramref name="type"/>, else the last one.
    /// </summary>
    public async Task<DnsQueryResult> QueryWithSearchAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        DnsQueryResult? last = null;
        foreach (var candidate in Candidates(name))
        {
            last = await QueryAsync(candidate, type, cancellationToken).ConfigureAwait(false);
            if (last.Response?.Answers.Any(r => r.Type == type) == true)
            {
                return last;
            }
        }

        return last ?? new DnsQueryResult(DnsQueryStatus.Failed, DnsName.Root, null, $"'{name}' is not a DNS name");
    }

    /// <summary>The names <see cref="QueryWithSearchAsync"/> tries for <paramref name="name"/>, in order (none when it does not parse).</summary>
    public IReadOnlyList<DnsName> Candidates(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!DnsName.TryParse(name, out var parsed, out _))
        {
            return [];
        }

        if (name.EndsWith('.'))
        {
            return [parsed!];
        }

        var searched = new List<DnsName>();
        foreach (var domain in Configuration.Search)
        {
            if (DnsName.TryParse(name.TrimEnd('.') + "." + domain.TrimEnd('.'), out var full, out _))
            {
                searched.Add(full!);
            }
        }

        return parsed!.Labels.Count - 1 >= Configuration.Ndots ? [parsed, .. searched] : [.. searched, parsed];
    }

    private static bool Matches(DnsMessage response, ushort id, DnsName name, DnsRecordType type) =>
        response.IsResponse && response.Id == id && response.Questions.Count == 1
        && response.Questions[0].Name.Equals(name) && response.Questions[0].Type == type;

    private static async Task<DnsMessage?> ExchangeUdpAsync(IPEndPoint server, DnsMessage query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);

        // Connected: the kernel drops datagrams from anyone but the server, and an ICMP refusal fails fast.
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query.ToArray(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxUdpResponse);
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (DnsMessage.TryDecode(buffer.AsSpan(0, received), out var response, out _) == DecodeStatus.Done
                    && Matches(response!, query.Id, query.Questions[0].Name, query.Questions[0].Type))
                {
                    return response;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<DnsMessage?> ExchangeTcpAsync(IPEndPoint server, DnsMessage query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        var framed = new ArrayBufferWriter<byte>();
        query.EncodeTcp(framed);
        await socket.SendAsync(framed.WrittenMemory, SocketFlags.None, cancellationToken).ConfigureAwait(false);

        var buffer = ArrayPool<byte>.Shared.Rent(2 + DnsMessage.MaxLength);
        try
        {
            var filled = 0;
            while (true)
            {
                var status = DnsMessage.TryDecodeTcp(buffer.AsSpan(0, filled), out var response, out _, out _);
                if (status == DecodeStatus.Done)
                {
                    return Matches(response!, query.Id, query.Questions[0].Name, query.Questions[0].Type) ? response : null;
                }

                if (status == DecodeStatus.Invalid)
                {
                    return null;
                }

                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return null;
                }

                filled += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<(DnsMessage? Response, string? Failure)> ExchangeAsync(IPEndPoint server, DnsName name, DnsRecordType type,
        CancellationToken cancellationToken)
    {
        var query = new DnsMessage
        {
            Id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1),
            Flags = DnsHeaderFlags.RecursionDesired,
            Questions = [new DnsQuestion(name, type)],
        };
        using var timeout = new CancellationTokenSource(Configuration.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var response = await ExchangeUdpAsync(server, query, linked.Token).ConfigureAwait(false);
            if (response is { IsTruncated: true })
            {
                // The answer did not fit in a datagram: the same question over TCP (RFC 7766).
                response = await ExchangeTcpAsync(server, query, linked.Token).ConfigureAwait(false);
                return response is null ? (null, "the TCP answer was malformed or did not match") : (response, null);
            }

            return (response, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer within {Configuration.Timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            return (null, e.Message);
        }
    }
}
