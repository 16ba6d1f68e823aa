namespace Gatehouse.Gateway.Configuration;

/// <summary>The validated <c>Gatehouse:Gateway</c> section (routes and clusters themselves are YARP's and read by YARP).</summary>
public sealed class GatewayOptions
{
    public required Uri IntrospectionEndpoint { get; init; }
    public required string ClientId { get; init; }
    public required string ClientSecret { get; init; }
    public TimeSpan IntrospectionTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest a JWT is served from cache; also the bound on how long a revoked token keeps working.</summary>
    public TimeSpan CacheMaximumLifetime { get; init; } = TimeSpan.FromSeconds(30);
    public long CacheSizeLimitBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The shared Redis second level (<c>Cache:Redis</c>); null: in-memory cache only.</summary>
    public StackExchange.Redis.ConfigurationOptions? CacheRedis { get; init; }

    /// <summary>Prefix of every key the gateway writes to Redis (<c>Cache:RedisKeyPrefix</c>).</summary>
    public string CacheRedisKeyPrefix { get; init; } = "";

    /// <summary>Longer bearer tokens are rejected without asking the server.</summary>
    public int MaxTokenLength { get; init; } = 4096;
    public string Realm { get; init; } = "gatehouse";

    public bool ExternalAuthEnabled { get; init; } = true;
    public string ExternalAuthPath { get; init; } = "/_gatehouse/auth";
    public bool ExternalAuthCorsPreflight { get; init; } = true;

    public IReadOnlyDictionary<string, RoutePolicy> Routes { get; init; } = new Dictionary<string, RoutePolicy>();
}

/// <summary>What the gateway enforces on one YARP route before forwarding.</summary>
/// <param name="PhantomToken">true: a valid token is required and exchanged for its JWT; false: a public route (Authorization is removed).</param>
/// <param name="RequiredScopes">Every one must be in the token's <c>scope</c> (RFC 6750 §3.1 insufficient_scope otherwise).</param>
/// <param name="AllowedMethods">null: any method.</param>
/// <param name="CorsPreflight">Forward CORS preflight OPTIONS requests without a token.</param>
public sealed record RoutePolicy(bool PhantomToken, IReadOnlyList<string> RequiredScopes, IReadOnlySet<string>? AllowedMethods, bool CorsPreflight)
{
    public static readonly RoutePolicy AnyValidToken = new(true, [], null, false);
}
