using System.Text;

namespace Gatehouse.Protocol.Clients;

/// <summary>
/// Parses the HTTP Basic credentials of client_secret_basic. RFC 6749 §2.3.1: the client identifier and
/// secret are each form-urlencoded (application/x-www-form-urlencoded) before being joined with ':' and
/// base64-encoded, so a ':' inside either value arrives as %3A.
/// </summary>
public static class ClientSecretBasic
{
    public const int MaxHeaderLength = 4096;

    public static bool IsBasic(string authorization) =>
        authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || authorization.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public static bool TryParse(string authorization, out string clientId, out string clientSecret, out string error)
    {
        clientId = clientSecret = error = "";
        if (authorization.Length > MaxHeaderLength)
        {
            error = "The Authorization header is too long.";
            return false;
        }
        if (!IsBasic(authorization))
        {
            error = "The Authorization header does not use the Basic scheme.";
            return false;
        }
        var encoded = authorization.Length > 6 ? authorization[6..].Trim() : "";
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            error = "The Basic credentials are not valid base64.";
            return false;
        }
        string pair;
        try
        {
            pair = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(decoded);
        }
        catch (DecoderFallbackException)
        {
            error = "The Basic credentials are not valid UTF-8.";
            return false;
        }
        var colon = pair.IndexOf(':');
        if (colon <= 0)
        {
            error = "The Basic credentials must have the form client_id:client_secret.";
            return false;
        }
        if (!TryFormDecode(pair[..colon], out clientId) || !TryFormDecode(pair[(colon + 1)..], out clientSecret))
        {
            error = "The Basic credentials are not correctly form-urlencoded (RFC 6749 §2.3.1).";
            return false;
        }
        if (clientId.Length == 0)
        {
            error = "The Basic credentials name no client.";
            return false;
        }
        return true;
    }

    private static bool TryFormDecode(string value, out string decoded)
    {
        decoded = "";
        // Uri.UnescapeDataString leaves malformed escapes as they are; reject them instead of guessing.
        for (var i = value.IndexOf('%'); i >= 0; i = value.IndexOf('%', i + 1))
        {
            if (i + 2 >= value.Length || !Uri.IsHexDigit(value[i + 1]) || !Uri.IsHexDigit(value[i + 2]))
                return false;
        }
        decoded = Uri.UnescapeDataString(value.Replace('+', ' '));
        return true;
    }
}
