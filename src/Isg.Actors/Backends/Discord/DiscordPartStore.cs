using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Isg.Actors.Backends.Remote;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.Discord;

/// <summary>
/// Objects as Discord webhook messages: an object is cut into attachments of at most the attachment limit, grouped
/// into messages of at most the per-message count and bytes. A part is <c>MESSAGEID/FILENAME</c>; file names are
/// random, so nothing about the object reaches Discord but its sealed bytes. Attachment URLs are signed and expire:
/// the ones seen last are remembered and used until Discord refuses them (or their <c>ex</c> time has passed), then
/// the message is fetched again for fresh ones. Thread-safe.
/// </summary>
internal sealed class DiscordPartStore(DiscordBackendOptions options, DiscordClient client, ILogger logger) : IRemotePartStore
{
    private const int MaxRememberedUrls = 16_384;
    private static readonly TimeSpan s_expiryMargin = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, string> _urls = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> UploadAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        var sent = new List<string>();
        try
        {
            var offset = 0;
            while (offset < data.Length)
            {
                var files = new List<(string FileName, ReadOnlyMemory<byte> Data)>();
                long bytes = 0;
                while (offset < data.Length && files.Count < options.AttachmentsPerMessage)
                {
                    var size = (int)Math.Min(options.AttachmentLimit, data.Length - offset);
                    if (files.Count > 0 && bytes + size > options.MessageLimit)
                    {
                        break;
                    }

                    files.Add((Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), data.Slice(offset, size)));
                    bytes += size;
                    offset += size;
                }

                var message = await client.ExecuteWebhookAsync(files, cancellationToken).ConfigureAwait(false);
                sent.Add(message.Id);
                foreach (var (fileName, content) in files)
                {
                    var attachment = message.Attachments.FirstOrDefault(a => a.FileName == fileName);
                    if (attachment is null || attachment.Size != content.Length)
                    {
                        throw new BackendException(BackendFailureKind.Transient, options.Name,
                            $"message {message.Id} does not hold the {content.Length}-byte attachment just sent");
                    }

                    var part = $"{message.Id}/{fileName}";
                    Remember(part, attachment.Url);
                    parts.Add(part);
                }
            }

            return parts;
        }
        catch (Exception e) when (sent.Count > 0)
        {
            await DeleteMessagesAsync(sent, e).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<int> DownloadAsync(IReadOnlyList<string> parts, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var part in parts)
        {
            var (messageId, _) = Split(part);
            int? read = null;
            if (_urls.TryGetValue(part, out var url) && !Expired(url))
            {
                read = await client.DownloadAsync(url, destination[total..], cancellationToken).ConfigureAwait(false);
            }

            if (read is null)
            {
                await RefreshAsync(messageId, cancellationToken).ConfigureAwait(false);
                read = _urls.TryGetValue(part, out url)
                    ? await client.DownloadAsync(url, destination[total..], cancellationToken).ConfigureAwait(false)
                    : throw new BackendException(BackendFailureKind.NotFound, options.Name, $"message {messageId} no longer holds part {part}");
                if (read is null)
                {
                    throw new BackendException(BackendFailureKind.NotFound, options.Name, $"a fresh URL of part {part} was refused");
                }
            }

            total += read.Value;
        }

        return total;
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        foreach (var messageId in parts.Select(p => Split(p).MessageId).Distinct(StringComparer.Ordinal))
        {
            await client.DeleteMessageAsync(messageId, cancellationToken).ConfigureAwait(false);
        }

        foreach (var part in parts)
        {
            _urls.TryRemove(part, out _);
        }
    }

    private async Task RefreshAsync(string messageId, CancellationToken cancellationToken)
    {
        var message = await client.GetMessageAsync(messageId, cancellationToken).ConfigureAwait(false);
        foreach (var attachment in message.Attachments)
        {
            Remember($"{message.Id}/{attachment.FileName}", attachment.Url);
        }
    }

    private void Remember(string part, string url)
    {
        if (_urls.Count >= MaxRememberedUrls)
        {
            // Only a cache of URLs that would be fetched again anyway: dropping it costs one request per part.
            _urls.Clear();
        }

        _urls[part] = url;
    }

    // Discord's signed URLs carry their expiry as ex=<hex unix seconds>; one known to be stale is not worth a request.
    private bool Expired(string url)
    {
        var query = url.AsSpan(url.IndexOf('?', StringComparison.Ordinal) + 1);
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.StartsWith("ex=", StringComparison.Ordinal)
                && long.TryParse(pair[3..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var seconds))
            {
                return DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253_402_300_799)) <= options.TimeProvider.GetUtcNow() + s_expiryMargin;
            }
        }

        return false;
    }

    private (string MessageId, string FileName) Split(string part)
    {
        var slash = part.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0
            ? throw new BackendException(BackendFailureKind.Permanent, options.Name, $"index entry '{part}' is not MESSAGEID/FILENAME")
            : (part[..slash], part[(slash + 1)..]);
    }

    private async Task DeleteMessagesAsync(List<string> messageIds, Exception cause)
    {
        foreach (var id in messageIds)
        {
            try
            {
                await client.DeleteMessageAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (BackendException e)
            {
                logger.LogWarning(e, "{Backend}: message {Message} of a failed upload ({Cause}) could not be deleted; it stays in the channel",
                    options.Name, id, cause.GetType().Name);
            }
        }
    }
}
