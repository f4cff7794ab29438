namespace Isg.Actors.Discovery;

/// <summary>Something the mDNS engine reports: a service resolved or removed, our name announced or renamed.</summary>
internal interface IMdnsEvent;
