using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>Probing succeeded: the responder owns these names and starts announcing them.</summary>
internal sealed record MdnsAnnounced(DnsName Instance, DnsName Host) : IMdnsEvent;
