namespace Isg.Actors.Discovery;

/// <summary>A browsed instance resolved for the first time, or its host, port, addresses or TXT changed.</summary>
internal sealed record MdnsServiceResolved(MdnsServiceInstance Service) : IMdnsEvent;
