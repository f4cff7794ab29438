using System.Net;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>A message the engine wants sent: to the mDNS group on every interface (null destination), or unicast.</summary>
internal sealed record MdnsPacket(DnsMessage Message, IPEndPoint? Destination);
