using Gatehouse.Protocol.Scopes;
using Microsoft.Extensions.Configuration;

namespace Gatehouse.Gateway.Configuration;

/// <summary>A configuration error a user can fix; the message names the key and the fix.</summary>
public sealed class GatewayConfigurationException(string message) : Exception(message);

/// <summary>Reads and validates <c>Gatehouse:Gateway</c>. Anything missing or invalid stops the gateway (fail closed).</summary>
public static class GatewayConfiguration
{
    public const string SectionName = "Gatehouse:Gateway";
    private const string P = SectionName + ":";

    public static GatewayOptions Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        if (!section.Exists())
            throw Error(SectionName, "is missing", "add a 'Gatehouse': { 'Gateway': { 'Introspection': {...}, 'Routes': {...}, 'Clusters': {...} } } section (see docs/gateway.md)");

        var endpointText = Required(section, "Introspection:Endpoint", "set it to the authorization server's introspection URL, e.g. http://127.0.0.1:5000/introspect");
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            throw Error("Introspection:Endpoint", $"'{endpointText}' is not an absolute http(s) URL", "set it to the introspection URL, e.g. http://127.0.0.1:5000/introspect");
        var clientId = Required(section, "Introspection:ClientId", "set it to a client with \"Introspection\": true on the server");
        var clientSecret = Required(section, "Introspection:ClientSecret", "set it to that client's secret (or use the environment variable Gatehouse__Gateway__Introspection__ClientSecret)");

        var timeout = Duration(section, "Introspection:Timeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
        var maxLifetime = Duration(section, "Cache:MaximumLifetime", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        var sizeMb = Integer(section, "Cache:SizeLimitMegabytes", 64, 1, 64 * 1024);
        var (redis, redisPrefix) = Redis(section);
        var maxTokenLength = Integer(section, "MaxTokenLength", 4096, 16, 64 * 1024);
        var realm = section["Realm"] ?? "gatehouse";
        if (realm.Length == 0 || realm.Any(c => c is < ' ' or > '~' or '"' or '\\'))
            throw Error("Realm", "must be printable ASCII without quotes or backslashes", "choose a simple realm such as \"gatehouse\"");

        var externalPath = section["ExternalAuth:Path"] ?? "/_gatehouse/auth";
        if (!externalPath.StartsWith('/') || externalPath.Length < 2 || externalPath.EndsWith('/'))
            throw Error("ExternalAuth:Path", $"'{externalPath}' is not an absolute path", "use a path such as /_gatehouse/auth");

        var clusters = section.GetSection("Clusters");
        var routes = section.GetSection("Routes");
        if (!routes.GetChildren().Any())
            throw Error("Routes", "has no routes", "add at least one route, e.g. \"Routes\": { \"api\": { \"ClusterId\": \"api\", \"Match\": { \"Path\": \"/api/{**rest}\" }, \"RequiredScopes\": [\"appointments\"] } }");
        var policies = new Dictionary<string, RoutePolicy>(StringComparer.OrdinalIgnoreCase);
        foreach (var route in routes.GetChildren())
        {
            var key = $"Routes:{route.Key}";
            var clusterId = route["ClusterId"];
            if (string.IsNullOrWhiteSpace(clusterId))
                throw Error(key + ":ClusterId", "is missing", "name a cluster defined under Gatehouse:Gateway:Clusters");
            var cluster = clusters.GetSection(clusterId);
            if (!cluster.Exists())
                throw Error(key + ":ClusterId", $"names cluster '{clusterId}', which is not defined", $"add Gatehouse:Gateway:Clusters:{clusterId} with at least one destination");
            var destinations = cluster.GetSection("Destinations").GetChildren().ToList();
            if (destinations.Count == 0)
                throw Error($"Clusters:{clusterId}:Destinations", "is empty", "add a destination, e.g. { \"api1\": { \"Address\": \"http://127.0.0.1:5100/\" } }");
            foreach (var destination in destinations)
            {
                var address = destination["Address"];
                if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    throw Error($"Clusters:{clusterId}:Destinations:{destination.Key}:Address", $"'{address}' is not an absolute http(s) URL", "set the API's base address, e.g. http://127.0.0.1:5100/");
            }
            if (string.IsNullOrWhiteSpace(route["Match:Path"]) && !route.GetSection("Match:Hosts").GetChildren().Any())
                throw Error(key + ":Match:Path", "is missing", "set a path pattern such as /api/{**rest}");

            var phantom = Boolean(route, key + ":PhantomToken", "PhantomToken", true);
            var scopes = route.GetSection("RequiredScopes").GetChildren().Select(c => c.Value ?? "").ToArray();
            if (route["RequiredScopes"] is { Length: > 0 } scopeString)
                scopes = scopeString.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var scope in scopes)
            {
                if (!ScopeSet.IsValidToken(scope))
                    throw Error(key + ":RequiredScopes", $"'{scope}' is not a valid scope token (RFC 6749 §3.3)", "list scope names without spaces or quotes");
            }
            if (!phantom && scopes.Length > 0)
                throw Error(key + ":RequiredScopes", "is set on a route with PhantomToken false (a public route checks no token)", "remove RequiredScopes or set PhantomToken to true");
            var methods = route.GetSection("AllowedMethods").GetChildren().Select(c => (c.Value ?? "").ToUpperInvariant()).ToArray();
            foreach (var method in methods)
            {
                if (method.Length == 0 || !method.All(char.IsAsciiLetterUpper))
                    throw Error(key + ":AllowedMethods", $"'{method}' is not an HTTP method", "list methods such as [\"GET\", \"POST\"]");
            }
            var preflight = Boolean(route, key + ":CorsPreflight", "CorsPreflight", false);
            policies[route.Key] = new RoutePolicy(phantom, scopes.Distinct(StringComparer.Ordinal).ToArray(),
                methods.Length == 0 ? null : new HashSet<string>(methods, StringComparer.Ordinal), preflight);
        }

        return new GatewayOptions
        {
            IntrospectionEndpoint = endpoint,
            ClientId = clientId,
            ClientSecret = clientSecret,
            IntrospectionTimeout = timeout,
            CacheMaximumLifetime = maxLifetime,
            CacheSizeLimitBytes = sizeMb * 1024L * 1024L,
            CacheRedis = redis,
            CacheRedisKeyPrefix = redisPrefix,
            MaxTokenLength = maxTokenLength,
            Realm = realm,
            ExternalAuthEnabled = Boolean(section, "ExternalAuth:Enabled", "ExternalAuth:Enabled", true),
            ExternalAuthPath = externalPath,
            ExternalAuthCorsPreflight = Boolean(section, "ExternalAuth:CorsPreflight", "ExternalAuth:CorsPreflight", true),
            Routes = policies,
        };
    }

    private static GatewayConfigurationException Error(string key, string problem, string fix) =>
        new($"Invalid gateway configuration: {(key.StartsWith(SectionName, StringComparison.Ordinal) ? key : P + key)} {problem}. Fix: {fix}.");

    /// <summary>
    /// <c>Cache:Redis</c>: a StackExchange.Redis connection string (host:port[,host:port][,option=value...]); absent means
    /// in-memory only. The gateway must keep working while Redis is down, so the connection never aborts on a failed
    /// connect and commands fail fast instead of queueing; timeouts default to 1 s unless the string sets them.
    /// </summary>
    private static (StackExchange.Redis.ConfigurationOptions?, string) Redis(IConfigurationSection section)
    {
        const string Example = "e.g. 127.0.0.1:6379 or redis.internal:6379,password=...,ssl=true";
        var text = section["Cache:Redis"];
        var prefix = section["Cache:RedisKeyPrefix"];
        if (text is null)
        {
            if (prefix is not null)
                throw Error("Cache:RedisKeyPrefix", "is set but Gatehouse:Gateway:Cache:Redis is not (the prefix only applies to Redis keys)", "set Cache:Redis as well, or remove Cache:RedisKeyPrefix");
            return (null, "");
        }
        if (string.IsNullOrWhiteSpace(text))
            throw Error("Cache:Redis", "is empty", $"set it to the Redis server shared by the gateway replicas, {Example}, or remove the key to cache in memory only");
        StackExchange.Redis.ConfigurationOptions redis;
        try
        {
            redis = StackExchange.Redis.ConfigurationOptions.Parse(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException or InvalidOperationException)
        {
            throw Error("Cache:Redis", $"is not a valid Redis connection string ({e.Message.TrimEnd('.')})", $"use host:port with optional ,option=value pairs, {Example}");
        }
        if (redis.EndPoints.Count == 0)
            throw Error("Cache:Redis", "names no Redis server", $"start it with host:port, {Example}");
        foreach (var endpoint in redis.EndPoints)
        {
            var (host, port) = endpoint switch
            {
                System.Net.DnsEndPoint d => (d.Host, d.Port),
                System.Net.IPEndPoint ip => (ip.Address.ToString(), ip.Port),
                _ => ("", -1),
            };
            if (host.Length == 0 || host.Any(c => c is <= ' ' or > '~') || port is < 0 or > 65535)
                throw Error("Cache:Redis", $"names an invalid server '{StackExchange.Redis.EndPointCollection.ToString(endpoint)}'", $"use host:port, {Example}");
        }
        var given = text.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).Select(p => p[0].Trim())
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        redis.AbortOnConnectFail = false;
        redis.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
        if (!given.Contains("connectTimeout"))
            redis.ConnectTimeout = 1000;
        if (!given.Contains("syncTimeout"))
            redis.SyncTimeout = 1000;
        if (!given.Contains("asyncTimeout"))
            redis.AsyncTimeout = 1000;
        if (!given.Contains("name"))
            redis.ClientName = "gatehouse-gateway";

        if (prefix is null)
            return (redis, "");
        if (prefix.Length is 0 or > 64 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '.' or '_' or '-'))
            throw Error("Cache:RedisKeyPrefix", $"'{prefix}' is not 1-64 letters, digits or : . _ -", "use a short name that separates gateway fleets on one Redis, e.g. \"prod-gw:\"");
        return (redis, prefix);
    }

    private static string Required(IConfigurationSection section, string key, string fix)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
            throw Error(key, "is missing", fix);
        return value;
    }

    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        var text = section[key];
        if (text is null)
            return fallback;
        if (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw Error(key, $"'{text}' is not a duration between {min:c} and {max:c}", "use the form hh:mm:ss, e.g. 00:00:30");
        return value;
    }

    private static int Integer(IConfigurationSection section, string key, int fallback, int min, int max)
    {
        var text = section[key];
        if (text is null)
            return fallback;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw Error(key, $"'{text}' is not a whole number between {min} and {max}", $"use a number between {min} and {max}");
        return value;
    }

    private static bool Boolean(IConfigurationSection section, string fullKey, string key, bool fallback)
    {
        var text = section[key];
        if (text is null)
            return fallback;
        if (!bool.TryParse(text, out var value))
            throw Error(fullKey, $"'{text}' is not true or false", "use true or false");
        return value;
    }
}
