namespace Isg.Actors.Runtime;

/// <summary>What a full user mailbox does with a new message. Drops are dead letters.</summary>
public enum MailboxFullMode
{
    /// <summary><c>TellAsync</c> waits for space; <c>TryTell</c> fails; <c>Tell</c> queues behind the full mailbox.</summary>
    Wait,

    /// <summary>The new message is dropped.</summary>
    DropNewest,

    /// <summary>The oldest queued message is dropped to make room for the new one.</summary>
    DropOldest,
}
