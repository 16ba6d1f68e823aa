using Gatehouse.Gateway.Authentication;
using Gatehouse.Gateway.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Gateway.Proxy;

/// <summary>
/// Runs in YARP's pipeline before forwarding: strip headers the gateway owns → CORS preflight → method check →
/// token exchange → <c>Authorization: Bearer &lt;jwt&gt;</c>. A route without a policy requires a valid token (fail closed).
/// </summary>
public sealed class PhantomTokenMiddleware(RequestDelegate next, TokenAuthorizer authorizer, GatewayOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var routeId = context.GetReverseProxyFeature().Route.Config.RouteId;
        var policy = options.Routes.TryGetValue(routeId, out var configured) ? configured : RoutePolicy.AnyValidToken;
        OwnedHeaders.Strip(request.Headers);

        if (policy.CorsPreflight && IsCorsPreflight(request))
        {
            request.Headers.Remove(HeaderNames.Authorization);
            await next(context);
            return;
        }
        if (policy.AllowedMethods is { } allowed && !allowed.Contains(request.Method.ToUpperInvariant()))
        {
            await GatewayError.MethodNotAllowed(allowed.Order(StringComparer.Ordinal)).WriteAsync(context, options.Realm);
            return;
        }
        if (!policy.PhantomToken)
        {
            // A public route: whatever the client sent as credentials does not travel to the API.
            request.Headers.Remove(HeaderNames.Authorization);
            await next(context);
            return;
        }

        var result = await authorizer.AuthorizeAsync(request.Headers.Authorization, policy.RequiredScopes, context.RequestAborted);
        if (!result.Succeeded)
        {
            await result.Error!.WriteAsync(context, options.Realm);
            return;
        }
        request.Headers.Authorization = "Bearer " + result.Jwt;
        await next(context);
    }

    /// <summary>Fetch standard: OPTIONS with Origin and Access-Control-Request-Method.</summary>
    public static bool IsCorsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) &&
        request.Headers.ContainsKey(HeaderNames.Origin) &&
        request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);
}

/// <summary>
/// Request headers only the gateway may set. <c>X-Gatehouse-*</c> is reserved and removed; <c>Authorization</c> is
/// replaced; <c>X-Forwarded-For/Proto/Host/Prefix</c> are replaced by YARP's default forwarded-header transform.
/// </summary>
public static class OwnedHeaders
{
    public const string ReservedPrefix = "X-Gatehouse-";

    public static void Strip(IHeaderDictionary headers)
    {
        List<string>? owned = null;
        foreach (var name in headers.Keys)
        {
            if (name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
                (owned ??= []).Add(name);
        }
        if (owned is not null)
        {
            foreach (var name in owned)
                headers.Remove(name);
        }
    }
}
