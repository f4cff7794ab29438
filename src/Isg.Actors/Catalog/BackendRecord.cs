namespace Isg.Actors.Catalog;

/// <summary>
/// A configured backend as the catalogue records it: its unique <paramref name="Name"/>, its
/// <paramref name="Type"/> ("local", "video", ...) and its type-specific <paramref name="SettingsJson"/> (nothing
/// secret: credentials live in <see cref="Secrets"/>).
/// </summary>
public sealed record BackendRecord(string Name, string Type, string SettingsJson, DateTimeOffset AddedAt)
{
    /// <summary>
    /// The backend's credentials (tokens, webhook URLs), decrypted when the record was read with the repository key;
    /// stored sealed, and never written to logs, JSON output or <see cref="ToString"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => $"BackendRecord {{ Name = {Name}, Type = {Type}, Settings = {SettingsJson}, Secrets = {Secrets.Count} }}";
}
