namespace Isg.Protocol.Errors;

/// <summary>
/// Why a decode failed: the kind, where (byte offset into the input, or -1 when not positional), a short
/// hex excerpt of the bytes at that offset, and a one-line message. Never contains key material.
/// </summary>
public readonly record struct ProtocolError(ProtocolErrorKind Kind, long Offset, string Excerpt, string Message)
{
    /// <summary>Builds an error with a hex excerpt of up to 16 bytes of <paramref name="input"/> starting at <paramref name="offset"/>.</summary>
    public static ProtocolError At(ProtocolErrorKind kind, ReadOnlySpan<byte> input, long offset, string message)
    {
        var start = (int)Math.Clamp(offset, 0, input.Length);
        var excerpt = Convert.ToHexStringLower(input.Slice(start, Math.Min(16, input.Length - start)));
        return new ProtocolError(kind, offset, excerpt, message);
    }

    /// <summary>Builds a non-positional error.</summary>
    public static ProtocolError Of(ProtocolErrorKind kind, string message) => new(kind, -1, string.Empty, message);

    /// <inheritdoc />
    public override string ToString() =>
        Offset >= 0 ? $"{Kind} at byte {Offset} ({Excerpt}): {Message}" : $"{Kind}: {Message}";
}
