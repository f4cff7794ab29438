namespace Isg.Actors.Catalog;

/// <summary>
/// A configured backend as the catalogue records it: its unique <paramref name="Name"/>, its
/// <paramref name="Type"/> ("local") and its type-specific <paramref name="SettingsJson"/>.
/// </summary>
public sealed record BackendRecord(string Name, string Type, string SettingsJson, DateTimeOffset AddedAt);
