using Gatehouse.Protocol.Scopes;
using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Http;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Token;

namespace Gatehouse.Server.Configuration;

/// <summary>Checks every setting before the host starts, so that a mistake stops the process with its key, value and fix.</summary>
public static class GatehouseOptionsValidator
{
    private const string P = GatehouseOptions.Section;
    private const string Hidden = "(hidden)";

    public static IReadOnlyList<ConfigurationProblem> Validate(GatehouseOptions o)
    {
        var problems = new List<ConfigurationProblem>();
        void Add(string key, string? value, string problem, string fix) => problems.Add(new($"{P}:{key}", value, problem, fix));

        ValidateIssuer(o.Issuer, Add);

        if (!ServiceRoleNames.TryParse(o.Roles, out _, out var unknownRole))
            Add("Roles", o.Roles, unknownRole.Length > 0 ? $"'{unknownRole}' is not a service role." : "No service role is set.",
                $"Set a comma-separated list of {ServiceRoleNames.Valid}.");

        if (o.Storage.Provider is not ("sqlite" or "postgres"))
            Add("Storage:Provider", o.Storage.Provider, "Unknown storage provider.", "Use 'sqlite' (embedded) or 'postgres'.");
        if (string.IsNullOrWhiteSpace(o.Storage.ConnectionString))
            Add("Storage:ConnectionString", null, "No connection string.",
                "Set e.g. 'Data Source=data/gatehouse.db' for sqlite or 'Host=...;Database=gatehouse;Username=...' for postgres.");
        if (o.Storage.CleanupInterval <= TimeSpan.Zero)
            Add("Storage:CleanupInterval", o.Storage.CleanupInterval.ToString(), "Must be positive.", "Use e.g. 00:05:00.");

        ValidateKeys(o.Keys, Add);

        if (o.Endpoints.MaxRequestBodyBytes is < 1024 or > 1024 * 1024)
            Add("Endpoints:MaxRequestBodyBytes", o.Endpoints.MaxRequestBodyBytes.ToString(), "Must be between 1024 and 1048576.", "Use e.g. 16384.");

        foreach (var (name, scope) in o.Scopes)
        {
            if (!ScopeSet.IsValidToken(name))
                Add($"Scopes:{name}", name, "Not a valid scope token (RFC 6749 §3.3: printable ASCII without space, '\"' or '\\').", "Rename the scope.");
            for (var i = 0; i < scope.Claims.Length; i++)
            {
                if (ReservedClaims.Contains(scope.Claims[i]))
                    Add($"Scopes:{name}:Claims:{i}", scope.Claims[i], "This claim is set by the token service itself.", "Remove it from the scope.");
            }
        }

        ValidateAuthentication(o.Authentication, Add);

        foreach (var (id, client) in o.Clients)
            ValidateClient(id, client, o, Add);

        foreach (var (username, user) in o.Users)
            ValidateUser(username, user, Add);

        for (var i = 0; i < o.ForwardedHeaders.TrustedProxies.Count; i++)
        {
            if (!TrustedProxies.TryParse(o.ForwardedHeaders.TrustedProxies[i], out _))
                Add($"ForwardedHeaders:TrustedProxies:{i}", o.ForwardedHeaders.TrustedProxies[i], "Not an IP address or a CIDR network.",
                    "List the ingress's address (e.g. 10.0.0.7) or its network (e.g. 10.0.0.0/8).");
        }
        ValidateWorkload(o.Workload, Add);

        return problems;
    }

    private static void ValidateWorkload(WorkloadOptions w, Action<string, string?, string, string> add)
    {
        if (w.TrustDomain.Length > 0 && !Protocol.Spiffe.TrustDomain.TryParse(w.TrustDomain, out _, out var error))
            add("Workload:TrustDomain", w.TrustDomain, $"Not a trust domain name ({error}).",
                "Use lower-case letters, digits, '.', '-' and '_' only, e.g. example.org (no scheme, no port).");
        foreach (var (name, value) in new[] { ("RootTtl", w.RootTtl), ("IntermediateTtl", w.IntermediateTtl), ("JwtKeyTtl", w.JwtKeyTtl),
                     ("X509SvidTtl", w.X509SvidTtl), ("JwtSvidTtl", w.JwtSvidTtl), ("AgentSvidTtl", w.AgentSvidTtl), ("JoinTokenTtl", w.JoinTokenTtl) })
        {
            if (value <= TimeSpan.Zero)
                add($"Workload:{name}", value.ToString(), "Must be positive.", "Use e.g. 01:00:00.");
        }
        if (w.IntermediateTtl > w.RootTtl)
            add("Workload:IntermediateTtl", w.IntermediateTtl.ToString(), $"Longer than Workload:RootTtl ({w.RootTtl}); an intermediate never outlives its root.",
                "Make it shorter than the root's lifetime.");
    }

    /// <summary>The trust domain the workload commands need; a problem naming the key when it is not set.</summary>
    public static ConfigurationProblem? RequireWorkloadTrustDomain(GatehouseOptions o) =>
        o.Workload.TrustDomain.Length > 0 ? null
            : new ConfigurationProblem($"{P}:Workload:TrustDomain", null, "No trust domain is set; the workload commands need one.",
                "Set it to your trust domain, e.g. \"Workload\": { \"TrustDomain\": \"example.org\" } in the Gatehouse section.");

    private static void ValidateIssuer(string issuer, Action<string, string?, string, string> add)
    {
        const string fix = "Set Gatehouse:Issuer to the public base URL, e.g. https://login.example.com (http is allowed only for localhost/127.0.0.1).";
        if (string.IsNullOrWhiteSpace(issuer))
        {
            add("Issuer", null, "The issuer is required.", fix);
            return;
        }
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            add("Issuer", issuer, "Not an absolute http(s) URL.", fix);
            return;
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
            add("Issuer", issuer, "RFC 8414 §2 requires the https scheme.", fix);
        // RFC 8414 §2: no query or fragment components.
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || issuer.Contains('?') || issuer.Contains('#'))
            add("Issuer", issuer, "The issuer must not have a query or fragment (RFC 8414 §2).", fix);
        if (issuer.EndsWith('/'))
            add("Issuer", issuer, "The issuer must not end with '/', or clients comparing it exactly will reject tokens.", "Remove the trailing '/'.");
    }

    private static void ValidateKeys(KeyOptions k, Action<string, string?, string, string> add)
    {
        if (!SigningAlgorithms.IsSupported(k.Algorithm))
            add("Keys:Algorithm", k.Algorithm, "Unsupported signing algorithm.", "Use ES256 (default), RS256 or PS256.");
        if (string.IsNullOrWhiteSpace(k.EncryptionKey))
            add("Keys:EncryptionKey", null, "No key to encrypt signing keys at rest.", "Set it to 32 random bytes in base64, e.g. the output of 'openssl rand -base64 32'.");
        else if (!IsBase64Of32Bytes(k.EncryptionKey))
            add("Keys:EncryptionKey", Hidden, "Must be exactly 32 bytes, base64-encoded.", "Generate one with 'openssl rand -base64 32'.");
        if (k.RotationPeriod < TimeSpan.FromMinutes(1))
            add("Keys:RotationPeriod", k.RotationPeriod.ToString(), "Must be at least one minute.", "Use e.g. 30.00:00:00 (30 days).");
        if (k.CheckInterval <= TimeSpan.Zero)
            add("Keys:CheckInterval", k.CheckInterval.ToString(), "Must be positive.", "Use e.g. 00:01:00.");
        if (k.JwksMaxAge < TimeSpan.Zero)
            add("Keys:JwksMaxAge", k.JwksMaxAge.ToString(), "Must not be negative.", "Use e.g. 00:05:00.");
        // A new key must reach every replica (CheckInterval) and every client's JWKS cache (JwksMaxAge) before it signs.
        if (k.PublishAhead <= k.CheckInterval + k.JwksMaxAge)
            add("Keys:PublishAhead", k.PublishAhead.ToString(), $"Must be longer than Keys:CheckInterval + Keys:JwksMaxAge ({k.CheckInterval + k.JwksMaxAge}), or clients may see tokens signed by a key they cannot yet find.",
                "Raise PublishAhead (default 1.00:00:00) or lower CheckInterval/JwksMaxAge.");
        else if (k.PublishAhead >= k.RotationPeriod)
            add("Keys:PublishAhead", k.PublishAhead.ToString(), "Must be shorter than Keys:RotationPeriod.", "Lower PublishAhead or raise RotationPeriod.");
    }

    private static void ValidateClient(string id, ClientOptions c, GatehouseOptions o, Action<string, string?, string, string> add)
    {
        var key = $"Clients:{id}";
        // RFC 6749 Appendix A.1: client_id = *VSCHAR (%x20-7E).
        if (id.Length == 0 || id.Any(ch => ch < 0x20 || ch > 0x7E))
            add(key, id, "A client_id may contain only printable ASCII characters.", "Rename the client.");

        var hasSecret = !string.IsNullOrEmpty(c.Secret);
        var hasHash = !string.IsNullOrEmpty(c.SecretHash);
        if (c.Public)
        {
            if (hasSecret || hasHash)
                add($"{key}:Public", "true", "A public client has no secret, yet one is set.", "Remove Secret/SecretHash, or set Public to false for a confidential client.");
            for (var i = 0; i < c.GrantTypes.Length; i++)
            {
                if (!GrantTypes.ForPublicClients.Contains(c.GrantTypes[i]))
                    add($"{key}:GrantTypes:{i}", c.GrantTypes[i], "A public client cannot authenticate, so it may not use this grant.",
                        $"Use only {string.Join(" and ", GrantTypes.ForPublicClients)}, or make the client confidential.");
            }
            if (c.Introspection)
                add($"{key}:Introspection", "true", "A public client cannot authenticate to the introspection endpoint.", "Set Introspection to false.");
        }
        else if (hasSecret == hasHash)
            add($"{key}:Secret", hasSecret ? Hidden : null, hasSecret ? "Both Secret and SecretHash are set." : "The client has no secret.",
                "Set exactly one: SecretHash (from 'gatehouse clients secret') or, for development, Secret.");
        else if (hasSecret && c.Secret!.Length < 32)
            add($"{key}:Secret", Hidden, "Client secrets must be at least 32 characters: they are checked with SHA-256, which is safe only for high-entropy secrets.",
                "Generate one with 'gatehouse clients secret'.");
        else if (hasHash && (c.SecretHash!.Length != OpaqueToken.Length || !c.SecretHash.All(IsBase64UrlChar)))
            add($"{key}:SecretHash", c.SecretHash, "Not a base64url SHA-256 hash (43 characters).", "Use the hash printed by 'gatehouse clients secret'.");

        for (var i = 0; i < c.GrantTypes.Length; i++)
        {
            if (!GrantTypes.Supported.Contains(c.GrantTypes[i]))
                add($"{key}:GrantTypes:{i}", c.GrantTypes[i], "Unsupported grant type.", $"Use one of: {string.Join(", ", GrantTypes.Supported)}.");
        }
        if (c.GrantTypes.Length == 0 && !c.Introspection)
            add($"{key}:GrantTypes", null, "The client may neither obtain tokens nor introspect them.", "Add a grant type such as client_credentials, or set Introspection to true.");

        for (var i = 0; i < c.Scopes.Length; i++)
        {
            if (!o.Scopes.ContainsKey(c.Scopes[i]))
                add($"{key}:Scopes:{i}", c.Scopes[i], "This scope is not defined.", $"Define it under {P}:Scopes or remove it from the client.");
        }
        if (c.AccessTokenFormat is not ("opaque" or "jwt"))
            add($"{key}:AccessTokenFormat", c.AccessTokenFormat, "Unknown access-token format.", "Use 'opaque' (reference token) or 'jwt' (RFC 9068).");
        if (c.AccessTokenLifetime < TimeSpan.FromSeconds(1) || c.AccessTokenLifetime > TimeSpan.FromDays(1))
            add($"{key}:AccessTokenLifetime", c.AccessTokenLifetime.ToString(), "Must be between 1 second and 1 day.", "Use a short lifetime such as 00:15:00.");
        if (c.GrantTypes.Length > 0 && string.IsNullOrWhiteSpace(c.Audience))
            add($"{key}:Audience", null, "Access tokens need an audience (RFC 9068 §2.2).", "Set Audience to the identifier of the API these tokens are for, e.g. https://api.example.com.");
        ValidateRedirectUris(key, c, add);
        if (c.RefreshTokenLifetime < TimeSpan.FromMinutes(1) || c.RefreshTokenLifetime > TimeSpan.FromDays(365))
            add($"{key}:RefreshTokenLifetime", c.RefreshTokenLifetime.ToString(), "Must be between 1 minute and 365 days.", "Use e.g. 1.00:00:00.");
        if (c.IdTokenLifetime < TimeSpan.FromSeconds(30) || c.IdTokenLifetime > TimeSpan.FromHours(1))
            add($"{key}:IdTokenLifetime", c.IdTokenLifetime.ToString(), "Must be between 30 seconds and 1 hour.", "Use e.g. 00:05:00.");
        foreach (var claim in c.Claims.Keys.Where(ReservedClaims.Contains))
            add($"{key}:Claims:{claim}", c.Claims[claim], "This claim is set by the token service itself.", "Remove it from the client's claims.");
        foreach (var (from, to) in c.ClaimMappings)
        {
            if (ReservedClaims.Contains(from) || ReservedClaims.Contains(to))
                add($"{key}:ClaimMappings:{from}", to, "Claims set by the token service cannot be renamed or overwritten.", "Map only claims released by scopes.");
        }
    }

    private static void ValidateRedirectUris(string key, ClientOptions c, Action<string, string?, string, string> add)
    {
        if (c.GrantTypes.Contains(GrantTypes.AuthorizationCode) && c.RedirectUris.Length == 0)
            add($"{key}:RedirectUris", null, "The authorization_code grant needs at least one registered redirect URI.",
                "Add the client's callback URL, e.g. https://app.example.com/signin-oidc.");
        for (var i = 0; i < c.RedirectUris.Length; i++)
        {
            if (RedirectUriProblem(c.RedirectUris[i]) is { } problem)
                add($"{key}:RedirectUris:{i}", c.RedirectUris[i], problem, "Use an absolute https URL, http on a loopback address, or a private-use scheme such as com.example.app:/callback (RFC 8252 §7).");
        }
        for (var i = 0; i < c.PostLogoutRedirectUris.Length; i++)
        {
            if (RedirectUriProblem(c.PostLogoutRedirectUris[i]) is { } problem)
                add($"{key}:PostLogoutRedirectUris:{i}", c.PostLogoutRedirectUris[i], problem, "Use an absolute https URL or http on a loopback address.");
        }
    }

    /// <summary>RFC 6749 §3.1.2: absolute, no fragment; RFC 9700 §2.6 / RFC 8252 §7: https, loopback http, or a private-use scheme.</summary>
    internal static string? RedirectUriProblem(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
            return "Not an absolute URI (RFC 6749 §3.1.2).";
        if (value.Contains('#'))
            return "A redirect URI must not contain a fragment (RFC 6749 §3.1.2).";
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
            return "http is allowed only on a loopback address (RFC 9700 §2.6); use https.";
        if (uri.Scheme is "javascript" or "data" or "file" or "vbscript")
            return $"The '{uri.Scheme}' scheme cannot be a redirect URI.";
        return null;
    }

    private static void ValidateAuthentication(AuthenticationOptions a, Action<string, string?, string, string> add)
    {
        if (a.SessionLifetime < TimeSpan.FromMinutes(1) || a.SessionLifetime > TimeSpan.FromDays(30))
            add("Authentication:SessionLifetime", a.SessionLifetime.ToString(), "Must be between 1 minute and 30 days.", "Use e.g. 08:00:00.");
        if (a.AuthorizationCodeLifetime < TimeSpan.FromSeconds(5) || a.AuthorizationCodeLifetime > TimeSpan.FromMinutes(10))
            add("Authentication:AuthorizationCodeLifetime", a.AuthorizationCodeLifetime.ToString(), "Must be between 5 seconds and 10 minutes (RFC 6749 §4.1.2).", "Use e.g. 00:01:00.");
        if (a.PushedRequestLifetime < TimeSpan.FromSeconds(5) || a.PushedRequestLifetime > TimeSpan.FromMinutes(10))
            add("Authentication:PushedRequestLifetime", a.PushedRequestLifetime.ToString(), "Must be between 5 seconds and 10 minutes (RFC 9126 §2.2).", "Use e.g. 00:01:30.");
        if (a.LockoutThreshold is < 1 or > 100)
            add("Authentication:LockoutThreshold", a.LockoutThreshold.ToString(), "Must be between 1 and 100.", "Use e.g. 5.");
        if (a.LockoutDuration < TimeSpan.Zero || a.LockoutDuration > TimeSpan.FromDays(1))
            add("Authentication:LockoutDuration", a.LockoutDuration.ToString(), "Must be between 0 and 1 day.", "Use e.g. 00:05:00.");
        if (a.SignInAttemptsPerMinute is < 1 or > 10_000)
            add("Authentication:SignInAttemptsPerMinute", a.SignInAttemptsPerMinute.ToString(), "Must be between 1 and 10000.", "Use e.g. 30.");
        if (a.PasswordHashIterations is < 1000 or > 10_000_000)
            add("Authentication:PasswordHashIterations", a.PasswordHashIterations.ToString(), "Must be between 1000 and 10000000.", "Use 600000 (OWASP's recommendation for PBKDF2-HMAC-SHA256).");
    }

    private static void ValidateUser(string username, UserSeedOptions u, Action<string, string?, string, string> add)
    {
        var key = $"Users:{username}";
        if (string.IsNullOrWhiteSpace(username) || username.Length > 200 || username.Any(char.IsControl))
            add(key, username, "A username must be 1 to 200 characters without control characters.", "Rename the user.");
        var hasPassword = !string.IsNullOrEmpty(u.Password);
        var hasHash = !string.IsNullOrEmpty(u.PasswordHash);
        if (hasPassword == hasHash)
            add($"{key}:Password", hasPassword ? Hidden : null, hasPassword ? "Both Password and PasswordHash are set." : "The user has no password.",
                "Set exactly one: PasswordHash (from 'gatehouse users hash-password') or, for development, Password.");
        else if (hasPassword && u.Password!.Length < 8)
            add($"{key}:Password", Hidden, "Passwords must be at least 8 characters.", "Choose a longer password.");
        else if (hasHash && !Users.PasswordHasher.IsWellFormed(u.PasswordHash!))
            add($"{key}:PasswordHash", Hidden, "Not a Gatehouse password hash (pbkdf2-sha256$iterations$salt$hash).", "Use the hash printed by 'gatehouse users hash-password'.");
        if (u.Subject is { Length: > 200 })
            add($"{key}:Subject", u.Subject, "A subject may be at most 200 characters.", "Shorten it, or leave it empty to generate one.");
        foreach (var claim in u.Claims.Keys.Where(ReservedClaims.Contains))
            add($"{key}:Claims:{claim}", u.Claims[claim], "This claim is set by the token service itself.", "Remove it from the user's claims.");
    }

    private static bool IsBase64Of32Bytes(string value)
    {
        Span<byte> buffer = stackalloc byte[48];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written == 32;
    }

    private static bool IsBase64UrlChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
