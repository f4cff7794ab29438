using System.Globalization;
using System.Security.Cryptography;
using Isg.Actors.Backends.Remote;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.Telegram;

/// <summary>
/// Objects as documents the bot posts into a channel, one part per document of at most
/// <see cref="TelegramBackendOptions.PartLimit"/> bytes (the download limit, so each part can be read back). A part is
/// <c>MESSAGEID/FILEID</c>; document names are random. Thread-safe.
/// </summary>
internal sealed class TelegramPartStore(TelegramBackendOptions options, TelegramClient client, ILogger logger) : IRemotePartStore
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> UploadAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        try
        {
            for (var offset = 0; offset < data.Length;)
            {
                var size = (int)Math.Min(options.PartLimit, data.Length - offset);
                var document = await client.SendDocumentAsync(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), data.Slice(offset, size), cancellationToken)
                    .ConfigureAwait(false);
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{document.MessageId}/{document.FileId}"));
                if (document.FileSize != size)
                {
                    throw new BackendException(BackendFailureKind.Transient, options.Name, $"Telegram stored {document.FileSize} bytes of a {size}-byte part");
                }

                offset += size;
            }

            return parts;
        }
        catch (Exception e) when (parts.Count > 0)
        {
            foreach (var part in parts)
            {
                try
                {
                    await client.DeleteMessageAsync(Split(part).MessageId, CancellationToken.None).ConfigureAwait(false);
                }
                catch (BackendException failure)
                {
                    logger.LogWarning(failure, "{Backend}: document {Part} of a failed upload ({Cause}) could not be deleted; it stays in the channel",
                        options.Name, part, e.GetType().Name);
                }
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<int> DownloadAsync(IReadOnlyList<string> parts, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var part in parts)
        {
            var path = await client.GetFilePathAsync(Split(part).FileId, cancellationToken).ConfigureAwait(false);
            total += await client.DownloadAsync(path, destination[total..], cancellationToken).ConfigureAwait(false);
        }

        return total;
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        foreach (var part in parts)
        {
            await client.DeleteMessageAsync(Split(part).MessageId, cancellationToken).ConfigureAwait(false);
        }
    }

    private (long MessageId, string FileId) Split(string part)
    {
        var slash = part.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && long.TryParse(part.AsSpan(0, slash), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id)
            ? (id, part[(slash + 1)..])
            : throw new BackendException(BackendFailureKind.Permanent, options.Name, $"index entry '{part}' is not MESSAGEID/FILEID");
    }
}
