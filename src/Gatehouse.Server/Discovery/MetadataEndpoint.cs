using System.Text;
using System.Text.Json;
using Gatehouse.Server.Authentication;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Http;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Token;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Server.Discovery;

/// <summary>
/// Authorization server metadata (RFC 8414 §2) and OpenID Provider metadata (OIDC Discovery 1.0 §3): one document,
/// built once, served at both well-known paths. It describes the whole deployment, whichever roles this process serves.
/// </summary>
public sealed class MetadataEndpoint(GatehouseOptions options) : IEndpointHandler
{
    private static readonly string[] AuthMethods = ["client_secret_basic", "client_secret_post"];
    // Public clients (RFC 6749 §2.1) identify themselves with client_id alone at the token endpoint (RFC 7591 §2).
    private static readonly string[] TokenEndpointAuthMethods = [.. AuthMethods, "none"];
    // Claims of ID tokens and user access tokens, beyond those scopes release (OIDC Core §2, RFC 8176).
    private static readonly string[] UserAuthenticationClaims = ["auth_time", "nonce", "at_hash", "sid", "amr", "acr"];
    private readonly byte[] _document = Build(options);

    public Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return context.Response.Body.WriteAsync(_document, context.RequestAborted).AsTask();
    }

    private static byte[] Build(GatehouseOptions o)
    {
        var algorithms = new[] { o.Keys.Algorithm };
        var document = new Dictionary<string, object>
        {
            ["issuer"] = o.Issuer,
            ["token_endpoint"] = o.Issuer + EndpointPaths.Token,
            ["jwks_uri"] = o.Issuer + EndpointPaths.Jwks,
            ["introspection_endpoint"] = o.Issuer + EndpointPaths.Introspection,
            ["revocation_endpoint"] = o.Issuer + EndpointPaths.Revocation,
            ["scopes_supported"] = o.Scopes.Keys.Order(StringComparer.Ordinal).ToArray(),
            ["response_types_supported"] = new[] { "code" },
            ["grant_types_supported"] = GrantTypes.Supported,
            ["token_endpoint_auth_methods_supported"] = TokenEndpointAuthMethods,
            ["userinfo_endpoint"] = o.Issuer + EndpointPaths.Userinfo,
            ["acr_values_supported"] = AuthenticationContextClasses.All,
            ["introspection_endpoint_auth_methods_supported"] = AuthMethods,
            ["revocation_endpoint_auth_methods_supported"] = AuthMethods,
            ["introspection_signing_alg_values_supported"] = algorithms,
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = algorithms,
            ["claims_supported"] = o.Scopes.Values.SelectMany(s => s.Claims)
                .Concat(["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope"]).Concat(UserAuthenticationClaims).Distinct().Order(StringComparer.Ordinal).ToArray(),
            // The authentication role: authorization code flow with PKCE, PAR and RP-initiated logout.
            ["authorization_endpoint"] = o.Issuer + EndpointPaths.Authorize,
            ["response_modes_supported"] = new[] { "query" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["prompt_values_supported"] = PromptValues.Supported,
            ["authorization_response_iss_parameter_supported"] = true,
            ["request_parameter_supported"] = false,
            // Request objects by reference (RFC 9101) are not fetched; request_uri works only as issued by the PAR endpoint.
            ["request_uri_parameter_supported"] = false,
            ["pushed_authorization_request_endpoint"] = o.Issuer + EndpointPaths.PushedAuthorization,
            ["require_pushed_authorization_requests"] = false,
            ["end_session_endpoint"] = o.Issuer + EndpointPaths.EndSession,
        };
        return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(document));
    }
}

/// <summary>The JWKS (RFC 7517 §5): public keys only, including keys published ahead of use and retired keys still verifying.</summary>
public sealed class JwksEndpoint(SigningKeyRing keys, GatehouseOptions options) : IEndpointHandler
{
    private readonly string _cacheControl = $"public, max-age={(int)options.Keys.JwksMaxAge.TotalSeconds}";

    public Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "application/jwk-set+json";
        context.Response.Headers.CacheControl = _cacheControl;
        return context.Response.Body.WriteAsync(keys.Jwks, context.RequestAborted).AsTask();
    }
}
