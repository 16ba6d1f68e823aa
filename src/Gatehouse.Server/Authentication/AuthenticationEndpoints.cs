using System.Threading.RateLimiting;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Discovery;
using Gatehouse.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Authentication;

/// <summary>The authentication role: the authorization and PAR endpoints, and the Razor pages of sign-in, consent and logout.</summary>
public static class AuthenticationEndpoints
{
    public static IServiceCollection AddGatehouseAuthentication(this IServiceCollection services, GatehouseOptions gatehouse)
    {
        var options = gatehouse.Authentication;
        services.AddSingleton<AuthorizationRequestValidator>();
        services.AddSingleton<AuthorizationRequestReader>();
        services.AddSingleton<AuthorizationResponses>();
        services.AddSingleton<AuthorizationFlow>();
        services.AddSingleton<SessionCookie>();
        services.AddSingleton<PasswordSignIn>();
        services.AddSingleton<TotpAuthenticator>();
        services.AddSingleton<SecondFactorCookie>();
        services.AddSingleton<RpInitiatedLogout>();
        services.AddSingleton<PushedAuthorizationEndpoint>();
        services.AddGatehouseDataProtection();
        services.AddRazorPages(pages =>
            {
                pages.RootDirectory = "/Authentication/Pages";
                pages.Conventions.ConfigureFilter(new SecurityHeaders());
            })
            .ConfigureApplicationPartManager(AddPagesOnce);
        services.AddRateLimiter(limiter =>
        {
            // Per client address, on the posts that check passwords and codes; lockout protects each account, this
            // protects the server from one address guessing across many accounts.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                HttpMethods.IsPost(context.Request.Method)
                && (context.Request.Path == EndpointPaths.Login || context.Request.Path == EndpointPaths.LoginTotp)
                    ? RateLimitPartition.GetFixedWindowLimiter("sign-in " + context.Connection.RemoteIpAddress,
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = options.SignInAttemptsPerMinute, Window = TimeSpan.FromMinutes(1) })
                    : RateLimitPartition.GetNoLimiter("unlimited"));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (rejected, ct) =>
            {
                var response = rejected.HttpContext.Response;
                SecurityHeaders.Apply(response);
                response.Headers.RetryAfter = "60";
                response.ContentType = "text/html; charset=utf-8";
                return new ValueTask(response.WriteAsync(TooManyAttemptsPage, ct));
            };
        });
        return services;
    }

    /// <summary>
    /// The pages are compiled into this library. A Web SDK host (the gatehouse executable) already lists it as a part,
    /// other hosts (tests) do not; adding it twice would map every page twice.
    /// </summary>
    private static void AddPagesOnce(ApplicationPartManager manager)
    {
        var assembly = typeof(AuthenticationEndpoints).Assembly;
        if (manager.ApplicationParts.Any(p => p.Name == assembly.GetName().Name))
            return;
        foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
            manager.ApplicationParts.Add(part);
    }

    public static void MapGatehouseAuthentication(this WebApplication app)
    {
        app.UseRateLimiter();
        app.MapRazorPages();
        app.MapHandler<PushedAuthorizationEndpoint>("POST", EndpointPaths.PushedAuthorization);
    }

    private const string TooManyAttemptsPage = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Too many attempts – Gatehouse</title></head>
        <body><main>
        <h1>Too many sign-in attempts</h1>
        <p role="alert">Too many sign-in attempts came from your network. Wait a minute, then try again.</p>
        </main></body>
        </html>
        """;
}
