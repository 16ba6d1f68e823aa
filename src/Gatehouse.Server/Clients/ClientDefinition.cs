using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Configuration;

namespace Gatehouse.Server.Clients;

public enum AccessTokenFormat { Opaque, Jwt }

/// <summary>A configured client, ready for the hot path: secret already hashed, lists turned into sets.</summary>
public sealed class ClientDefinition
{
    public required string ClientId { get; init; }
    public bool Enabled { get; init; }
    public required string DisplayName { get; init; }
    /// <summary>A public client has no secret (RFC 6749 §2.1); null then.</summary>
    public string? SecretHash { get; init; }
    public bool IsPublic => SecretHash is null;
    public required IReadOnlySet<string> GrantTypes { get; init; }
    public required IReadOnlyList<string> Scopes { get; init; }
    public AccessTokenFormat AccessTokenFormat { get; init; }
    public TimeSpan AccessTokenLifetime { get; init; }
    public string? Audience { get; init; }
    public required IReadOnlyDictionary<string, object> Claims { get; init; }
    public required IReadOnlyDictionary<string, string> ClaimMappings { get; init; }
    public bool Introspection { get; init; }
    public required IReadOnlySet<string> RedirectUris { get; init; }
    public required IReadOnlySet<string> PostLogoutRedirectUris { get; init; }
    public bool RequirePushedAuthorizationRequests { get; init; }
    public bool RequireConsent { get; init; }
    public TimeSpan RefreshTokenLifetime { get; init; }
    public TimeSpan IdTokenLifetime { get; init; }

    /// <summary>
    /// RFC 9700 §4.1.3: redirect URIs are compared as exact strings — except that a native app's loopback IP redirect
    /// URI may name any port, since the app picks a free one when it starts (RFC 8252 §7.3). That exception applies to
    /// public clients and to <c>http://127.0.0.1</c> and <c>http://[::1]</c> only, never to host names.
    /// </summary>
    public bool AcceptsRedirectUri(string requested)
    {
        if (RedirectUris.Contains(requested))
            return true;
        if (!IsPublic || !Uri.TryCreate(requested, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6) || !uri.IsLoopback || uri.UserInfo.Length > 0)
            return false;
        var withoutPort = WithoutPort(uri);
        return RedirectUris.Any(r => Uri.TryCreate(r, UriKind.Absolute, out var registered)
            && registered.Scheme == Uri.UriSchemeHttp && registered.Host == uri.Host && WithoutPort(registered) == withoutPort);
    }

    private static string WithoutPort(Uri uri) => $"{uri.Scheme}://{uri.Host}{uri.PathAndQuery}";

    public static ClientDefinition From(string clientId, ClientOptions o) => new()
    {
        ClientId = clientId,
        Enabled = o.Enabled,
        DisplayName = string.IsNullOrWhiteSpace(o.DisplayName) ? clientId : o.DisplayName,
        SecretHash = o.Public ? null : string.IsNullOrEmpty(o.SecretHash) ? TokenHash.Sha256(o.Secret!) : o.SecretHash,
        GrantTypes = new HashSet<string>(o.GrantTypes, StringComparer.Ordinal),
        Scopes = o.Scopes.Distinct(StringComparer.Ordinal).ToArray(),
        AccessTokenFormat = o.AccessTokenFormat == "jwt" ? AccessTokenFormat.Jwt : AccessTokenFormat.Opaque,
        AccessTokenLifetime = o.AccessTokenLifetime,
        Audience = o.Audience,
        Claims = o.Claims.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal),
        ClaimMappings = new Dictionary<string, string>(o.ClaimMappings, StringComparer.Ordinal),
        Introspection = o.Introspection,
        // Exact, ordinal comparison (RFC 9700 §4.1.1): no normalisation, no pattern.
        RedirectUris = new HashSet<string>(o.RedirectUris, StringComparer.Ordinal),
        PostLogoutRedirectUris = new HashSet<string>(o.PostLogoutRedirectUris, StringComparer.Ordinal),
        RequirePushedAuthorizationRequests = o.RequirePushedAuthorizationRequests,
        RequireConsent = o.RequireConsent,
        RefreshTokenLifetime = o.RefreshTokenLifetime,
        IdTokenLifetime = o.IdTokenLifetime,
    };
}

public sealed class ClientRegistry(GatehouseOptions options)
{
    private readonly Dictionary<string, ClientDefinition> _clients =
        options.Clients.ToDictionary(p => p.Key, p => ClientDefinition.From(p.Key, p.Value), StringComparer.Ordinal);

    public ClientDefinition? Find(string clientId) => _clients.GetValueOrDefault(clientId);

    public IEnumerable<ClientDefinition> All => _clients.Values;
}
