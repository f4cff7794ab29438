namespace Isg.Actors.Runtime;

/// <summary>Why a message was not delivered.</summary>
public enum DeadLetterReason
{
    /// <summary>The recipient had stopped (or was stopping: queued messages of a stopping actor end here).</summary>
    Stopped,

    /// <summary>The recipient's mailbox was full (the new message in Wait/DropNewest mode, the oldest in DropOldest mode).</summary>
    MailboxFull,

    /// <summary>The recipient threw while handling the message.</summary>
    HandlerFailed,

    /// <summary>A router pool had no routees left.</summary>
    NoRoutees,

    /// <summary>A reply arrived after its ask had timed out or been cancelled.</summary>
    AskExpired,
}
