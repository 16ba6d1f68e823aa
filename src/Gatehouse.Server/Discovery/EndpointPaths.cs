namespace Gatehouse.Server.Discovery;

/// <summary>Paths of the protocol endpoints, relative to the issuer.</summary>
public static class EndpointPaths
{
    public const string Token = "/token";
    public const string Introspection = "/introspect";
    public const string Revocation = "/revoke";
    public const string Userinfo = "/userinfo";
    public const string Jwks = "/jwks";
    public const string OpenIdConfiguration = "/.well-known/openid-configuration";
    public const string OAuthAuthorizationServer = "/.well-known/oauth-authorization-server";
    public const string HealthLive = "/health/live";
    public const string HealthReady = "/health/ready";
    public const string AdminKeys = "/admin/keys";
    public const string AdminKeysRotate = "/admin/keys/rotate";
    // The authentication role; the Razor pages repeat their path in their @page directive.
    public const string Authorize = "/authorize";
    public const string PushedAuthorization = "/par";
    public const string Login = "/login";
    public const string LoginTotp = "/login/totp";
    public const string Consent = "/consent";
    public const string EndSession = "/logout";
    public const string Account = "/account";
    public const string TotpEnrolment = "/account/totp";
}
