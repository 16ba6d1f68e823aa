namespace Gatehouse.Server.Authentication;

/// <summary>Error codes of the authorization endpoint beyond RFC 6749 §5.2: RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6, RFC 9101 §6.3 (used by RFC 9126).</summary>
public static class AuthorizationErrorCodes
{
    public const string AccessDenied = "access_denied";
    public const string UnsupportedResponseType = "unsupported_response_type";
    public const string LoginRequired = "login_required";
    public const string ConsentRequired = "consent_required";
    public const string InteractionRequired = "interaction_required";
    public const string RequestNotSupported = "request_not_supported";
    public const string RequestUriNotSupported = "request_uri_not_supported";
    public const string InvalidRequestUri = "invalid_request_uri";
}
