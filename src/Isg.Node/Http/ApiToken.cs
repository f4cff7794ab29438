using System.Security.Cryptography;
using System.Text;
using Isg.Actors.Storage;

namespace Isg.Node.Http;

/// <summary>
/// The bearer token that guards the HTTP API's writes and non-loopback reads: 32 random bytes as hex in a
/// file only the owner can read, created on first run.
/// </summary>
public sealed class ApiToken
{
    private readonly byte[] _value;

    private ApiToken(byte[] value) => _value = value;

    /// <summary>Reads the token file, creating it (mode 0600, atomically) when absent.</summary>
    public static ApiToken LoadOrCreate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
        {
            return new ApiToken(Encoding.ASCII.GetBytes(File.ReadAllText(path).Trim()));
        }

        var text = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        AtomicFile.WriteAllBytes(path, Encoding.ASCII.GetBytes(text), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new ApiToken(Encoding.ASCII.GetBytes(text));
    }

    /// <summary>Constant-time check of an "Authorization: Bearer …" header value.</summary>
    public bool Matches(string? authorizationHeader)
    {
        const string Scheme = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var presented = Encoding.ASCII.GetBytes(authorizationHeader[Scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _value);
    }

    /// <summary>Never reveals the token.</summary>
    public override string ToString() => "ApiToken(****)";
}
