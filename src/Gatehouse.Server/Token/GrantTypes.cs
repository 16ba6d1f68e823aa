namespace Gatehouse.Server.Token;

public static class GrantTypes
{
    public const string ClientCredentials = "client_credentials";

    public static readonly IReadOnlyList<string> Supported = [ClientCredentials];
}
