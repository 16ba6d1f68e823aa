using Gatehouse.Gateway.Authentication;
using Gatehouse.Gateway.Configuration;
using Gatehouse.Protocol.Scopes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Gateway.ExternalAuth;

/// <summary>
/// Authorization for an existing ingress: nginx <c>auth_request</c> / ingress-nginx <c>auth-url</c>, Envoy <c>ext_authz</c>
/// (HTTP service; the original path is appended to this path and the method kept), Traefik <c>forwardAuth</c>.
/// 200 with <c>Authorization: Bearer &lt;jwt&gt;</c> for the ingress to copy upstream; otherwise the gateway's error.
/// Required scopes come from the query (<c>?scope=a+b</c>) and the <c>X-Gatehouse-Required-Scopes</c> header.
/// </summary>
public static class ExternalAuthEndpoint
{
    /// <summary>Where ingresses put the original method: ingress-nginx, Traefik; else the request's own (Envoy, nginx with a header set).</summary>
    public static readonly string[] MethodHeaders = ["X-Original-Method", "X-Forwarded-Method"];

    /// <summary>Scopes the ingress requires, space-separated (for Envoy's <c>headers_to_add</c>); joined with <c>?scope=</c>.</summary>
    public const string RequiredScopesHeader = "X-Gatehouse-Required-Scopes";

    public static void Map(IEndpointRouteBuilder endpoints, GatewayOptions options)
    {
        endpoints.Map(options.ExternalAuthPath, HandleAsync);
        endpoints.Map(options.ExternalAuthPath + "/{**path}", HandleAsync);
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<GatewayOptions>();
        var authorizer = context.RequestServices.GetRequiredService<TokenAuthorizer>();
        var request = context.Request;
        context.Response.Headers.CacheControl = "no-store";

        var method = OriginalMethod(request);
        if (options.ExternalAuthCorsPreflight && HttpMethods.IsOptions(method) &&
            request.Headers.ContainsKey(HeaderNames.Origin) && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        // Envoy appends the original path and query to this path, so there the query is the client's and is ignored.
        var envoyStyle = request.RouteValues.ContainsKey("path");
        var fromQuery = envoyStyle ? "" : request.Query["scope"].ToString();
        if (!ScopeSet.TryParse(fromQuery, out var queryScopes) ||
            !ScopeSet.TryParse(string.Join(' ', request.Headers[RequiredScopesHeader].ToArray()), out var headerScopes))
        {
            await GatewayError.BadGateway("external auth: the ingress passed an invalid required scope").WriteAsync(context, options.Realm);
            return;
        }
        // A client can only add requirements this way, never remove the ingress's.
        var scopes = queryScopes.Union(headerScopes, StringComparer.Ordinal).ToArray();
        var result = await authorizer.AuthorizeAsync(request.Headers.Authorization, scopes, context.RequestAborted);
        if (!result.Succeeded)
        {
            await result.Error!.WriteAsync(context, options.Realm);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.Authorization = "Bearer " + result.Jwt;
    }

    private static string OriginalMethod(HttpRequest request)
    {
        foreach (var name in MethodHeaders)
        {
            if (request.Headers[name] is { Count: 1 } value && !string.IsNullOrEmpty(value[0]))
                return value[0]!;
        }
        return request.Method;
    }
}
