using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// Reading Google's error responses: the API's <c>{"error": {"code", "message", "errors": [{"reason", ...}]}}</c>, the
/// token endpoint's <c>{"error": "invalid_grant", "error_description": ...}</c>, and the Retry-After header.
/// </summary>
internal static class GoogleErrors
{
    /// <summary>The first error reason of an API error body, or the token endpoint's error code; null when the body is neither.</summary>
    public static string? Reason(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("error", out var error))
            {
                return null;
            }

            if (error.ValueKind == JsonValueKind.String)
            {
                return error.GetString();
            }

            if (error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                && errors[0].ValueKind == JsonValueKind.Object && errors[0].TryGetProperty("reason", out var reason)
                && reason.ValueKind == JsonValueKind.String)
            {
                return reason.GetString();
            }

            return error.ValueKind == JsonValueKind.Object && error.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
                ? status.GetString()
                : null;
        }
        catch (JsonException)
        {
            // An HTML error page from a proxy, say: the status code alone decides.
            return null;
        }
    }

    /// <summary>A short description of a failed response for an error message (status and reason, never the request's secrets).</summary>
    public static string Describe(HttpStatusCode status, string? reason) =>
        reason is null
            ? string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status}")
            : string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status} {reason}");
}
