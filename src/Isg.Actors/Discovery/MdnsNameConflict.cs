using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>Another responder holds <see cref="Name"/>: the responder probes for <see cref="Replacement"/> instead.</summary>
internal sealed record MdnsNameConflict(DnsName Name, DnsName Replacement) : IMdnsEvent;
