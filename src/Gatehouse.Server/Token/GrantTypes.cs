namespace Gatehouse.Server.Token;

public static class GrantTypes
{
    public const string ClientCredentials = "client_credentials";
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";

    public static readonly IReadOnlyList<string> Supported = [AuthorizationCode, RefreshToken, ClientCredentials];

    /// <summary>The grants a public client may use: those a user starts, where PKCE stands in for the missing secret.</summary>
    public static readonly IReadOnlyList<string> ForPublicClients = [AuthorizationCode, RefreshToken];
}
