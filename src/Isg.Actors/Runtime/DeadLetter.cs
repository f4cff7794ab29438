namespace Isg.Actors.Runtime;

/// <summary>An undelivered message. <paramref name="Message"/> may be large or secret: log its type, never its contents.</summary>
public sealed record DeadLetter(string Recipient, object Message, DeadLetterReason Reason);
