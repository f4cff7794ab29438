namespace Isg.Actors.Discovery;

/// <summary>A resolved instance went away (goodbye, expiry, or it can no longer be resolved); <see cref="Service"/> is what was last reported.</summary>
internal sealed record MdnsServiceRemoved(MdnsServiceInstance Service) : IMdnsEvent;
