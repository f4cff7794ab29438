namespace Isg.Actors.Runtime;

/// <summary>A reply address carried inside a request. <see cref="Reply"/> is thread-safe and never blocks.</summary>
/// <typeparam name="T">The reply type.</typeparam>
public interface IReplyTo<in T>
{
    /// <summary>Delivers <paramref name="message"/>; a reply nobody waits for any more becomes a dead letter.</summary>
    void Reply(T message);
}
