namespace Isg.Actors.Backends.Telegram;

/// <summary>A document message the bot sent: the message id (to delete it) and the file id and size (to read it).</summary>
public sealed record TelegramDocument(long MessageId, string FileId, long FileSize);
