namespace Gatehouse.Protocol.Errors;

/// <summary>
/// An OAuth error response as a value: the code from the registry, a human-readable description
/// (never containing secrets or token values) and the HTTP status it is sent with.
/// </summary>
public sealed record OAuthError(string Code, string Description, int StatusCode = 400)
{
    public static OAuthError InvalidRequest(string description) => new(OAuthErrorCodes.InvalidRequest, description);
    public static OAuthError InvalidScope(string description) => new(OAuthErrorCodes.InvalidScope, description);
    public static OAuthError UnauthorizedClient(string description) => new(OAuthErrorCodes.UnauthorizedClient, description);
    public static OAuthError UnsupportedGrantType(string description) => new(OAuthErrorCodes.UnsupportedGrantType, description);
    public static OAuthError InvalidGrant(string description) => new(OAuthErrorCodes.InvalidGrant, description);

    /// <summary>RFC 6749 §5.2: client authentication failed; always 401 so the client learns the supported schemes.</summary>
    public static OAuthError InvalidClient(string description) => new(OAuthErrorCodes.InvalidClient, description, 401);

    /// <summary>
    /// Makes client input safe to quote in error_description, whose characters RFC 6749 §5.2 limits to
    /// %x20-21 / %x23-5B / %x5D-7E; anything else is replaced and long input is cut.
    /// </summary>
    public static string Echo(string value)
    {
        var chars = value.Length > 64 ? value.AsSpan(0, 64) : value.AsSpan();
        return string.Create(chars.Length, chars.ToString(), static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                span[i] = source[i] is >= ' ' and <= '~' and not '"' and not '\\' ? source[i] : '?';
        });
    }

    /// <summary>The request body exceeded the configured limit (RFC 9110 §15.5.14).</summary>
    public static OAuthError TooLarge(string description) => new(OAuthErrorCodes.InvalidRequest, description, 413);
}
