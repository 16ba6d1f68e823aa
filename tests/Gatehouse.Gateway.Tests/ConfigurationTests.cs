using Gatehouse.Gateway.Configuration;
using Gatehouse.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Gatehouse.Gateway.Tests;

/// <summary>Missing or invalid configuration stops the gateway with a message naming the key and the fix.</summary>
public sealed class ConfigurationTests
{
    private static Dictionary<string, string?> Valid() =>
        InProcessGateway.Configuration(new Uri("http://127.0.0.1:1/introspect"), new Uri("http://127.0.0.1:2/"));

    private static string ErrorOf(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var e = Assert.Throws<GatewayConfigurationException>(() => GatewayConfiguration.Load(configuration));
        Assert.Contains("Fix:", e.Message);
        return e.Message;
    }

    [Fact]
    public void ValidConfiguration_Loads()
    {
        var options = GatewayConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(Valid()).Build());
        Assert.Equal(["appointments"], options.Routes["api"].RequiredScopes);
        Assert.False(options.Routes["public"].PhantomToken);
        Assert.True(options.Routes["cors"].CorsPreflight);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CacheMaximumLifetime);
    }

    [Fact]
    public void MissingSection_IsNamed() =>
        Assert.Contains("Gatehouse:Gateway is missing", ErrorOf([]));

    [Theory]
    [InlineData("Introspection:Endpoint")]
    [InlineData("Introspection:ClientId")]
    [InlineData("Introspection:ClientSecret")]
    public void MissingRequiredKey_IsNamed(string key)
    {
        var settings = Valid();
        settings.Remove("Gatehouse:Gateway:" + key);
        Assert.Contains($"Gatehouse:Gateway:{key} is missing", ErrorOf(settings));
    }

    [Theory]
    [InlineData("Introspection:Endpoint", "not a url")]
    [InlineData("Introspection:Endpoint", "ftp://x/introspect")]
    [InlineData("Introspection:Timeout", "forever")]
    [InlineData("Cache:MaximumLifetime", "00:00:00")]
    [InlineData("Cache:MaximumLifetime", "2.00:00:00")]
    [InlineData("Cache:SizeLimitMegabytes", "0")]
    [InlineData("MaxTokenLength", "-1")]
    [InlineData("Routes:api:RequiredScopes:0", "bad scope")]
    [InlineData("Routes:api:PhantomToken", "maybe")]
    [InlineData("Routes:api:AllowedMethods:0", "G3T")]
    [InlineData("Routes:api:ClusterId", "nowhere")]
    [InlineData("Clusters:api:Destinations:d1:Address", "localhost:80")]
    [InlineData("Routes:public:RequiredScopes:0", "appointments")]
    public void InvalidValue_IsNamed(string key, string value)
    {
        var settings = Valid();
        settings["Gatehouse:Gateway:" + key] = value;
        var message = ErrorOf(settings);
        var named = key.EndsWith(":0", StringComparison.Ordinal) ? key[..^2] : key;
        Assert.Contains("Gatehouse:Gateway:" + named, message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(",,,")]
    [InlineData("127.0.0.1:6379,bogusOption=1")]
    [InlineData("127.0.0.1:6379,ssl=maybe")]
    [InlineData("127.0.0.1:6379,connectTimeout=soon")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("redis host:6379")]
    public void InvalidRedis_IsNamed(string value)
    {
        var settings = Valid();
        settings["Gatehouse:Gateway:Cache:Redis"] = value;
        Assert.Contains("Gatehouse:Gateway:Cache:Redis ", ErrorOf(settings));
    }

    [Theory]
    [InlineData("bad prefix")]
    [InlineData("")]
    [InlineData("x{y}")]
    public void InvalidRedisKeyPrefix_IsNamed(string value)
    {
        var settings = Valid();
        settings["Gatehouse:Gateway:Cache:Redis"] = "127.0.0.1:6379";
        settings["Gatehouse:Gateway:Cache:RedisKeyPrefix"] = value;
        Assert.Contains("Gatehouse:Gateway:Cache:RedisKeyPrefix", ErrorOf(settings));
    }

    [Fact]
    public void RedisKeyPrefix_WithoutRedis_IsRefused()
    {
        var settings = Valid();
        settings["Gatehouse:Gateway:Cache:RedisKeyPrefix"] = "prod:";
        Assert.Contains("Gatehouse:Gateway:Cache:RedisKeyPrefix is set but Gatehouse:Gateway:Cache:Redis is not", ErrorOf(settings));
    }

    [Fact]
    public void Redis_IsOptional_AndParsedWithFailFastDefaults()
    {
        Assert.Null(GatewayConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(Valid()).Build()).CacheRedis);
        var settings = Valid();
        settings["Gatehouse:Gateway:Cache:Redis"] = "redis.internal:6380,password=s3cret,asyncTimeout=2500";
        settings["Gatehouse:Gateway:Cache:RedisKeyPrefix"] = "prod-gw:";
        var options = GatewayConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var redis = Assert.IsType<StackExchange.Redis.ConfigurationOptions>(options.CacheRedis);
        Assert.Equal("redis.internal:6380", StackExchange.Redis.EndPointCollection.ToString(Assert.Single(redis.EndPoints)));
        Assert.False(redis.AbortOnConnectFail);
        Assert.Equal(2500, redis.AsyncTimeout);
        Assert.Equal(1000, redis.ConnectTimeout);
        Assert.Equal("prod-gw:", options.CacheRedisKeyPrefix);
        Assert.DoesNotContain("s3cret", GatewayHost.DescribeRedis(options));
    }

    [Theory]
    [InlineData("Routes:api:Match:Path", "/api/{**rest", "Invalid path")]
    [InlineData("Routes:api:Transforms:0:Bogus", "x", "Unknown transform")]
    public void InvalidYarpConfiguration_IsRefusedAtBuild(string key, string value, string expected)
    {
        var settings = Valid();
        settings["Gatehouse:Gateway:" + key] = value;
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        var e = Assert.Throws<GatewayConfigurationException>(() => GatewayHost.Build(builder));
        Assert.Contains(expected, e.Message);
        Assert.Contains("Fix:", e.Message);
    }

    [Fact]
    public void NoRoutes_IsRefused()
    {
        var settings = Valid().Where(p => !p.Key.Contains(":Routes:")).ToDictionary();
        Assert.Contains("Gatehouse:Gateway:Routes has no routes", ErrorOf(settings));
    }
}
