using Gatehouse.Gateway.Authentication;
using Gatehouse.Gateway.Caching;
using Gatehouse.Gateway.Configuration;
using Gatehouse.Gateway.ExternalAuth;
using Gatehouse.Gateway.Introspection;
using Gatehouse.Gateway.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway;

/// <summary>Composes the gateway: validated options, introspection client, HybridCache, YARP with the phantom-token step.</summary>
public static class GatewayHost
{
    public const string HealthPath = "/_gatehouse/health/live";

    /// <exception cref="GatewayConfigurationException">The configuration is missing or invalid; nothing is served.</exception>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var options = GatewayConfiguration.Load(builder.Configuration);
        var services = builder.Services;
        // One line per proxied request is noise at this layer; YARP warnings and errors still show.
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IntrospectionClient>(sp => new IntrospectionClient(options,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<IntrospectionClient>>()));
        // Memory bound: HybridCache's L1 is this IMemoryCache; entries are sized by their payload bytes.
        services.AddMemoryCache(o => o.SizeLimit = options.CacheSizeLimitBytes);
        if (options.CacheRedis is { } redis)
        {
            // HybridCache's second level: the IDistributedCache in the container. RedisSecondLevel caps each entry's
            // expiration at its deadline and turns Redis failures into misses (one warning per outage).
            services.AddSingleton(sp => new RedisSecondLevel(
                new Microsoft.Extensions.Caching.StackExchangeRedis.RedisCache(new Microsoft.Extensions.Caching.StackExchangeRedis.RedisCacheOptions
                {
                    ConfigurationOptions = redis,
                    InstanceName = options.CacheRedisKeyPrefix,
                }),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisSecondLevel>>(), DescribeRedis(options)));
            services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(sp => sp.GetRequiredService<RedisSecondLevel>());
        }
        services.AddHybridCache(o =>
        {
            o.MaximumPayloadBytes = IntrospectionClient.MaxJwtBytes * 2;
            o.DefaultEntryOptions = new HybridCacheEntryOptions { Expiration = options.CacheMaximumLifetime, LocalCacheExpiration = options.CacheMaximumLifetime };
        });
        services.AddSingleton<PhantomTokenCache>();
        services.AddSingleton<TokenAuthorizer>();
        services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection(GatewayConfiguration.SectionName));

        var app = builder.Build();
        app.MapGet(HealthPath, () => Results.Text("ok"));
        if (options.ExternalAuthEnabled)
            ExternalAuthEndpoint.Map(app, options);
        try
        {
            app.MapReverseProxy(proxy => proxy.UseMiddleware<PhantomTokenMiddleware>());
        }
        catch (InvalidOperationException e) when (e.InnerException is AggregateException errors)
        {
            // YARP validates routes and clusters on the first load and refuses to serve with any error.
            (app as IDisposable).Dispose();
            var problems = string.Join(" ", errors.InnerExceptions.Select(x => x.Message.TrimEnd('.') + "."));
            throw new GatewayConfigurationException(
                $"Invalid gateway configuration: the YARP routes or clusters under {GatewayConfiguration.SectionName} are invalid: {problems} " +
                "Fix: correct those Routes/Clusters entries (YARP configuration-file format, see docs/gateway.md).");
        }
        return app;
    }

    /// <summary>The Redis servers and key prefix, never the password.</summary>
    internal static string DescribeRedis(GatewayOptions options) =>
        options.CacheRedis is not { } redis ? "" :
        $"Redis {string.Join(',', redis.EndPoints.Select(StackExchange.Redis.EndPointCollection.ToString))}"
        + (options.CacheRedisKeyPrefix.Length > 0 ? $" prefix '{options.CacheRedisKeyPrefix}'" : "");

    /// <summary>What listens where, for the startup message.</summary>
    public static IEnumerable<string> Describe(WebApplication app)
    {
        var options = app.Services.GetRequiredService<GatewayOptions>();
        var section = app.Configuration.GetSection(GatewayConfiguration.SectionName);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        yield return $"Gatehouse gateway: introspection {options.IntrospectionEndpoint} as client '{options.ClientId}', cache up to {options.CacheMaximumLifetime:c}"
            + (options.CacheRedis is null ? " (in memory)" : $" (in memory + {DescribeRedis(options)})");
        foreach (var address in addresses)
        {
            var root = address.TrimEnd('/');
            yield return $"  listening on {address}";
            foreach (var route in section.GetSection("Routes").GetChildren())
            {
                var policy = options.Routes[route.Key];
                var destinations = string.Join(", ", section.GetSection($"Clusters:{route["ClusterId"]}:Destinations").GetChildren().Select(d => d["Address"]));
                var rule = policy.PhantomToken
                    ? "phantom token" + (policy.RequiredScopes.Count > 0 ? $", scopes [{string.Join(' ', policy.RequiredScopes)}]" : "")
                    : "public, no token";
                var methods = policy.AllowedMethods is { } m ? $", methods [{string.Join(' ', m.Order(StringComparer.Ordinal))}]" : "";
                yield return $"    {root}{route["Match:Path"]}   route '{route.Key}' -> {destinations} ({rule}{methods})";
            }
            if (options.ExternalAuthEnabled)
                yield return $"    {root}{options.ExternalAuthPath}   external auth (nginx auth_request, Envoy ext_authz, Traefik forwardAuth)";
            yield return $"    {root}{HealthPath}   liveness";
        }
    }
}
