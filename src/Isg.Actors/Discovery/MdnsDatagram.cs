using System.Net;

namespace Isg.Actors.Discovery;

/// <summary>A received UDP payload, who sent it, and the index of the interface it came in on (0 when unknown).</summary>
public readonly record struct MdnsDatagram(ReadOnlyMemory<byte> Data, IPEndPoint Source, int InterfaceIndex);
