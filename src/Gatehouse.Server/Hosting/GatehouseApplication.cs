using System.Text.Json;
using Gatehouse.Protocol.Errors;
using Gatehouse.Server.Admin;
using Gatehouse.Server.Authentication;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Discovery;
using Gatehouse.Server.Http;
using Gatehouse.Server.Token;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;

namespace Gatehouse.Server.Hosting;

/// <summary>Composes a Gatehouse server process: only the endpoints of its service roles are mapped; every other path is 404.</summary>
public static class GatehouseApplication
{
    /// <exception cref="GatehouseConfigurationException">The configuration is invalid.</exception>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var options = GatehouseConfiguration.Load(builder.Configuration);
        builder.Services.AddGatehouseServer(options);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        var app = builder.Build();
        ServiceRoleNames.TryParse(options.Roles, out var roles, out _);
        app.UseTrustedProxies(options.ForwardedHeaders);
        app.UseExceptionHandler(errors => errors.Run(WriteServerErrorAsync));
        MapRoles(app, roles);
        return app;
    }

    public static ServiceRoles RolesOf(GatehouseOptions options) =>
        ServiceRoleNames.TryParse(options.Roles, out var roles, out _) ? roles : ServiceRoles.None;

    private static void MapRoles(WebApplication app, ServiceRoles roles)
    {
        app.MapHealthChecks(EndpointPaths.HealthLive, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(EndpointPaths.HealthReady, new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });

        // Metadata and keys are public: served by every public-facing role.
        if (roles.HasFlag(ServiceRoles.Token) || roles.HasFlag(ServiceRoles.Authentication))
        {
            app.MapHandler<MetadataEndpoint>("GET", EndpointPaths.OpenIdConfiguration);
            app.MapHandler<MetadataEndpoint>("GET", EndpointPaths.OAuthAuthorizationServer);
            app.MapHandler<JwksEndpoint>("GET", EndpointPaths.Jwks);
        }
        if (roles.HasFlag(ServiceRoles.Token))
        {
            app.MapHandler<TokenEndpoint>("POST", EndpointPaths.Token);
            app.MapHandler<IntrospectionEndpoint>("POST", EndpointPaths.Introspection);
            app.MapHandler<RevocationEndpoint>("POST", EndpointPaths.Revocation);
            app.MapHandler<UserinfoEndpoint>("GET", EndpointPaths.Userinfo);
            app.MapHandler<UserinfoEndpoint>("POST", EndpointPaths.Userinfo);
        }
        if (roles.HasFlag(ServiceRoles.Authentication))
            app.MapGatehouseAuthentication();
        if (roles.HasFlag(ServiceRoles.Admin))
        {
            app.MapHandler<AdminKeysListEndpoint>("GET", EndpointPaths.AdminKeys);
            app.MapHandler<AdminKeysRotateEndpoint>("POST", EndpointPaths.AdminKeysRotate);
        }
    }

    /// <summary>An unexpected failure: logged with its exception, answered without details.</summary>
    private static async Task WriteServerErrorAsync(HttpContext context)
    {
        var failure = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
        var unavailable = failure is InvalidOperationException { Message: var m } && m.StartsWith("No signing key", StringComparison.Ordinal);
        context.Response.StatusCode = unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        OAuthResponses.NoStore(context.Response);
        await OAuthResponses.WriteJsonAsync(context.Response, w =>
        {
            w.WriteString("error", unavailable ? OAuthErrorCodes.TemporarilyUnavailable : OAuthErrorCodes.ServerError);
            w.WriteString("error_description", "The server could not complete the request.");
        });
    }
}
