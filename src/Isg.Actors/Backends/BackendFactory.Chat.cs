using System.Globalization;
using System.Text.Json;
using Isg.Actors.Backends.Discord;
using Isg.Actors.Backends.Telegram;
using Isg.Actors.Catalog;

namespace Isg.Actors.Backends;

/// <summary>The chat platforms' types: settings JSON and options from a record.</summary>
public static partial class BackendFactory
{
    /// <summary>
    /// The type of a Discord channel written through a webhook; secret "webhook" (the webhook URL); settings
    /// {"apiBase": URL, "attachmentLimit": bytes}, both optional (Discord's API, 10 MiB).
    /// </summary>
    public const string DiscordType = "discord";

    /// <summary>
    /// The type of a Telegram channel a bot posts documents into; secret "botToken"; settings {"chatId": ID,
    /// "apiBase": URL, "uploadLimit": bytes, "downloadLimit": bytes}, all but chatId optional (the Bot API, 50 MB, 20 MB).
    /// </summary>
    public const string TelegramType = "telegram";

    /// <summary>The secret holding a Discord backend's webhook URL.</summary>
    public const string DiscordWebhookSecret = "webhook";

    /// <summary>The secret holding a Telegram backend's bot token.</summary>
    public const string TelegramBotTokenSecret = "botToken";

    /// <summary>The settings JSON of a Discord backend; <paramref name="apiBase"/> and <paramref name="attachmentLimit"/> only to override Discord's.</summary>
    public static string DiscordSettings(string? apiBase = null, long? attachmentLimit = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        AddOptional(settings, "apiBase", apiBase);
        AddOptional(settings, "attachmentLimit", attachmentLimit?.ToString(CultureInfo.InvariantCulture));
        return JsonSerializer.Serialize(settings);
    }

    /// <summary>The settings JSON of a Telegram backend posting to <paramref name="chatId"/> (e.g. -1001234567890 or @channel).</summary>
    public static string TelegramSettings(string chatId, string? apiBase = null, long? uploadLimit = null, long? downloadLimit = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(chatId);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["chatId"] = chatId };
        AddOptional(settings, "apiBase", apiBase);
        AddOptional(settings, "uploadLimit", uploadLimit?.ToString(CultureInfo.InvariantCulture));
        AddOptional(settings, "downloadLimit", downloadLimit?.ToString(CultureInfo.InvariantCulture));
        return JsonSerializer.Serialize(settings);
    }

    /// <summary>The options of Discord backend <paramref name="record"/> (webhook from its secrets); <see cref="ArgumentException"/> on bad settings.</summary>
    public static DiscordBackendOptions DiscordOptions(BackendRecord record, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(record);
        var settings = StringSettings(record);
        var options = new DiscordBackendOptions(record.Name, StateDirectory(repositoryRoot, record.Name))
        {
            WebhookUrl = record.Secrets.GetValueOrDefault(DiscordWebhookSecret),
        };
        options = options with { ApiBase = Url(record, settings, "apiBase") ?? options.ApiBase };
        if (Number(record, settings, "attachmentLimit") is { } limit)
        {
            options = options with { AttachmentLimit = limit, MessageLimit = Math.Max(options.MessageLimit, limit) };
        }

        options.Validate();
        return options;
    }

    /// <summary>The options of Telegram backend <paramref name="record"/> (bot token from its secrets); <see cref="ArgumentException"/> on bad settings.</summary>
    public static TelegramBackendOptions TelegramOptions(BackendRecord record, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(record);
        var settings = StringSettings(record);
        var chatId = Setting(settings, "chatId") ?? throw new ArgumentException($"backend '{record.Name}' settings name no chatId");
        var options = new TelegramBackendOptions(record.Name, StateDirectory(repositoryRoot, record.Name), chatId)
        {
            BotToken = record.Secrets.GetValueOrDefault(TelegramBotTokenSecret),
        };
        options = options with
        {
            ApiBase = Url(record, settings, "apiBase") ?? options.ApiBase,
            UploadLimit = Number(record, settings, "uploadLimit") ?? options.UploadLimit,
            DownloadLimit = Number(record, settings, "downloadLimit") ?? options.DownloadLimit,
        };
        options.Validate();
        return options;
    }
}
