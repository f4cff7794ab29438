using Isg.Actors.Peers.Transport;
using Isg.Actors.Runtime;

namespace Isg.Actors.Peers;

/// <summary>Messages of a peer's actor (/node/peers/&lt;short device id&gt;).</summary>
public interface IPeerCommand;

/// <summary>Replies the peer's current session.</summary>
public sealed record GetSession(IReplyTo<IPeerSession> ReplyTo) : IPeerCommand;

/// <summary>From the parent: the peer's connection was replaced by <see cref="Session"/> (a duplicate that won).</summary>
public sealed record SessionReplaced(IPeerSession Session) : IPeerCommand;
