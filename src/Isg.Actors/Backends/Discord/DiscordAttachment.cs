namespace Isg.Actors.Backends.Discord;

/// <summary>An attachment of a Discord message: its file name, size in bytes and (signed, expiring) download URL.</summary>
public sealed record DiscordAttachment(string Id, string FileName, long Size, string Url);
