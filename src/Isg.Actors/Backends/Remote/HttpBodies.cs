namespace Isg.Actors.Backends.Remote;

/// <summary>Reading HTTP bodies for platform clients without intermediate copies.</summary>
public static class HttpBodies
{
    /// <summary>Most bytes of an error body kept for a message.</summary>
    public const int ErrorExcerptLength = 512;

    /// <summary>
    /// Streams <paramref name="content"/> into <paramref name="destination"/>; returns the bytes read. A body longer
    /// than the destination fails Permanent (the platform returned more than was stored) without reading it all.
    /// </summary>
    public static async Task<int> ReadIntoAsync(HttpContent content, Memory<byte> destination, string backend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var total = 0;
            while (true)
            {
                if (total == destination.Length)
                {
                    // One byte more tells a body of exactly the right size from a longer one.
                    var probe = new byte[1];
                    if (await stream.ReadAsync(probe, cancellationToken).ConfigureAwait(false) != 0)
                    {
                        throw new BackendException(BackendFailureKind.Permanent, backend, $"the platform returned more than the {destination.Length} bytes expected");
                    }

                    return total;
                }

                var read = await stream.ReadAsync(destination[total..], cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return total;
                }

                total += read;
            }
        }
    }

    /// <summary>The start of an error body, for a message (never more than <see cref="ErrorExcerptLength"/> characters).</summary>
    public static async Task<string> ReadExcerptAsync(HttpContent content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var text = await content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return text.Length <= ErrorExcerptLength ? text : text[..ErrorExcerptLength];
    }
}
