namespace Isg.Actors.Runtime;

/// <summary>The user mailbox of an actor. System messages (stop, supervision, death watch) never count against it.</summary>
public sealed record MailboxOptions
{
    /// <summary>Default options: 1000 messages, <see cref="MailboxFullMode.Wait"/>.</summary>
    public static MailboxOptions Default { get; } = new();

    /// <summary>No capacity limit (<see cref="int.MaxValue"/>): for actors that receive only replies or a bounded number of messages.</summary>
    public static MailboxOptions Unbounded { get; } = new() { Capacity = int.MaxValue };

    /// <summary>How many user messages may wait in the mailbox (at least 1); the message being handled does not count.</summary>
    public int Capacity { get; init; } = 1000;

    /// <summary>What happens when the mailbox is full.</summary>
    public MailboxFullMode FullMode { get; init; } = MailboxFullMode.Wait;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when the options are unusable.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Capacity);
        if (!Enum.IsDefined(FullMode))
        {
            throw new ArgumentOutOfRangeException(nameof(FullMode), FullMode, "Unknown mailbox full mode.");
        }
    }
}
