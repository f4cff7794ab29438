namespace Isg.Actors.Runtime;

/// <summary>Death-watch signal: <paramref name="Actor"/> has stopped; <paramref name="Cause"/> is the failure that stopped it, or null for a requested stop.</summary>
public sealed record Terminated(IActorRef Actor, Exception? Cause);
