namespace Isg.Actors.Backends.Discord;

/// <summary>The parts of a Discord message object a backend needs: its id and its attachments, in order.</summary>
public sealed record DiscordMessage(string Id, IReadOnlyList<DiscordAttachment> Attachments);
