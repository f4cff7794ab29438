using System.Globalization;
using System.Text.Json;
using Isg.Actors.Catalog;

namespace Isg.Actors.Backends;

/// <summary>Reading and writing a platform record's settings: one JSON object of strings (as the *Settings methods write it).</summary>
public static partial class BackendFactory
{
    /// <summary>The members of <paramref name="record"/>'s settings object; <see cref="ArgumentException"/> when unreadable or not all strings.</summary>
    private static Dictionary<string, string> StringSettings(BackendRecord record)
    {
        try
        {
            using var settings = JsonDocument.Parse(record.SettingsJson);
            if (settings.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"backend '{record.Name}' settings are not a JSON object");
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var member in settings.RootElement.EnumerateObject())
            {
                values[member.Name] = member.Value.ValueKind == JsonValueKind.String
                    ? member.Value.GetString()!
                    : throw new ArgumentException($"backend '{record.Name}': setting {member.Name} is not a string: {member.Value}");
            }

            return values;
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"backend '{record.Name}' has unreadable settings: {e.Message}", e);
        }
    }

    /// <summary>Setting <paramref name="key"/> when present and not blank, else null.</summary>
    private static string? Setting(Dictionary<string, string> settings, string key) =>
        settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>Setting <paramref name="key"/> as a positive whole number, null when absent; <see cref="ArgumentException"/> otherwise.</summary>
    private static long? Number(BackendRecord record, Dictionary<string, string> settings, string key) =>
        Setting(settings, key) is not { } text ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 ? number
        : throw new ArgumentException($"backend '{record.Name}' has an unreadable {key} setting: {text}");

    /// <summary>Setting <paramref name="key"/> as an absolute http(s) URL, null when absent; <see cref="ArgumentException"/> otherwise.</summary>
    private static Uri? Url(BackendRecord record, Dictionary<string, string> settings, string key) =>
        Setting(settings, key) is not { } text ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri
        : throw new ArgumentException($"backend '{record.Name}': setting {key} is not an http(s) URL: {text}");

    /// <summary>Adds <paramref name="key"/> to settings being written when <paramref name="value"/> is not empty.</summary>
    private static void AddOptional(Dictionary<string, string> settings, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            settings[key] = value;
        }
    }
}
