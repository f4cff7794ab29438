namespace Isg.Actors.Runtime;

/// <summary>The address of an actor, whatever messages it takes. Refs compare by identity; a restarted actor keeps its ref.</summary>
public interface IActorRef
{
    /// <summary>Slash-separated path from the system root, e.g. <c>/node/catalog</c>.</summary>
    string Path { get; }
}
