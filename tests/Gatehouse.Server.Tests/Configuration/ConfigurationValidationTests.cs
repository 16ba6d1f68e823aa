using Gatehouse.Server.Configuration;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Tests.Hosting;
using Microsoft.Extensions.Configuration;

namespace Gatehouse.Server.Tests.Configuration;

/// <summary>Each invalid setting stops startup with a problem that names the key, the value and the fix.</summary>
public class ConfigurationValidationTests
{
    private static GatehouseConfigurationException Invalid(Action<Dictionary<string, string?>> amend)
    {
        var settings = GatehouseTestHost.DefaultSettings(Path.GetTempPath());
        amend(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null)).Build();
        return Assert.Throws<GatehouseConfigurationException>(() => GatehouseConfiguration.Load(configuration));
    }

    private static ConfigurationProblem Single(Action<Dictionary<string, string?>> amend, string key)
    {
        var problem = Assert.Single(Invalid(amend).Problems);
        Assert.Equal(key, problem.Key);
        Assert.False(string.IsNullOrWhiteSpace(problem.Fix));
        return problem;
    }

    [Fact]
    public void DefaultTestSettings_AreValid()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(GatehouseTestHost.DefaultSettings(Path.GetTempPath())).Build();
        Assert.Equal(GatehouseTestHost.Issuer, GatehouseConfiguration.Load(configuration).Issuer);
    }

    [Fact]
    public void MissingIssuer() => Single(s => s["Gatehouse:Issuer"] = null, "Gatehouse:Issuer");

    [Theory]
    [InlineData("http://login.example.com")]
    [InlineData("ftp://login.example.com")]
    [InlineData("login.example.com")]
    [InlineData("https://login.example.com?tenant=1")]
    [InlineData("https://login.example.com#x")]
    [InlineData("https://login.example.com/")]
    public void InvalidIssuer(string issuer) =>
        Assert.Equal(issuer, Single(s => s["Gatehouse:Issuer"] = issuer, "Gatehouse:Issuer").Value);

    [Theory]
    [InlineData("http://localhost:5000")]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("https://login.example.com/tenant-a")]
    public void ValidIssuer(string issuer)
    {
        var settings = GatehouseTestHost.DefaultSettings(Path.GetTempPath());
        settings["Gatehouse:Issuer"] = issuer;
        GatehouseConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }

    [Theory]
    [InlineData("tokens")]
    [InlineData("")]
    [InlineData("token,bogus")]
    public void UnknownRole(string roles) => Single(s => s["Gatehouse:Roles"] = roles, "Gatehouse:Roles");

    [Fact]
    public void UnknownStorageProvider() =>
        Assert.Equal("mysql", Single(s => s["Gatehouse:Storage:Provider"] = "mysql", "Gatehouse:Storage:Provider").Value);

    [Fact]
    public void MissingConnectionString() => Single(s => s["Gatehouse:Storage:ConnectionString"] = null, "Gatehouse:Storage:ConnectionString");

    [Fact]
    public void UnsupportedAlgorithm() => Single(s => s["Gatehouse:Keys:Algorithm"] = "HS256", "Gatehouse:Keys:Algorithm");

    [Fact]
    public void MissingEncryptionKey() => Single(s => s["Gatehouse:Keys:EncryptionKey"] = null, "Gatehouse:Keys:EncryptionKey");

    [Fact]
    public void ShortEncryptionKey_ValueHidden()
    {
        var problem = Single(s => s["Gatehouse:Keys:EncryptionKey"] = Convert.ToBase64String(new byte[16]), "Gatehouse:Keys:EncryptionKey");
        Assert.Equal("(hidden)", problem.Value);
    }

    [Fact]
    public void PublishAheadShorterThanPropagation() =>
        Single(s => s["Gatehouse:Keys:PublishAhead"] = "00:05:00", "Gatehouse:Keys:PublishAhead");

    [Fact]
    public void PublishAheadLongerThanRotation() =>
        Single(s => s["Gatehouse:Keys:PublishAhead"] = "60.00:00:00", "Gatehouse:Keys:PublishAhead");

    [Fact]
    public void ShortClientSecret_ValueHidden()
    {
        var problem = Single(s => s["Gatehouse:Clients:service:Secret"] = "tooShortXYZ", "Gatehouse:Clients:service:Secret");
        Assert.Equal("(hidden)", problem.Value);
        Assert.DoesNotContain("tooShortXYZ", Invalid(s => s["Gatehouse:Clients:service:Secret"] = "tooShortXYZ").Message);
    }

    [Fact]
    public void SecretAndHashBoth() =>
        Single(s => s["Gatehouse:Clients:service:SecretHash"] = new string('a', 43), "Gatehouse:Clients:service:Secret");

    [Fact]
    public void MalformedSecretHash() => Single(s =>
    {
        s["Gatehouse:Clients:service:Secret"] = null;
        s["Gatehouse:Clients:service:SecretHash"] = "not-a-hash";
    }, "Gatehouse:Clients:service:SecretHash");

    [Fact]
    public void UnsupportedGrantType() =>
        Assert.Equal("password", Single(s => s["Gatehouse:Clients:service:GrantTypes:0"] = "password", "Gatehouse:Clients:service:GrantTypes:0").Value);

    [Fact]
    public void UndefinedScope() =>
        Assert.Equal("billing", Single(s => s["Gatehouse:Clients:service:Scopes:1"] = "billing", "Gatehouse:Clients:service:Scopes:1").Value);

    [Fact]
    public void UnknownTokenFormat() => Single(s => s["Gatehouse:Clients:service:AccessTokenFormat"] = "saml", "Gatehouse:Clients:service:AccessTokenFormat");

    [Fact]
    public void LifetimeTooLong() => Single(s => s["Gatehouse:Clients:service:AccessTokenLifetime"] = "2.00:00:00", "Gatehouse:Clients:service:AccessTokenLifetime");

    [Fact]
    public void MissingAudience() => Single(s => s["Gatehouse:Clients:service:Audience"] = null, "Gatehouse:Clients:service:Audience");

    [Fact]
    public void ReservedClaimOverridden() =>
        Single(s => s["Gatehouse:Clients:service:Claims:sub"] = "someone-else", "Gatehouse:Clients:service:Claims:sub");

    [Fact]
    public void ClaimMappedOntoReservedClaim() =>
        Single(s => s["Gatehouse:Clients:service:ClaimMappings:department"] = "scope", "Gatehouse:Clients:service:ClaimMappings:department");

    [Fact]
    public void MisspelledSetting_IsReported()
    {
        var problem = Assert.Single(Invalid(s => s["Gatehouse:Clients:service:Secrte"] = "x").Problems);
        Assert.Equal("Gatehouse:Clients:service:Secrte", problem.Key);
        Assert.Contains("Secrte", problem.Problem);
    }

    [Fact]
    public void MalformedTimeSpan_NamesTheKey()
    {
        var problem = Assert.Single(Invalid(s => s["Gatehouse:Keys:RotationPeriod"] = "thirty days").Problems);
        Assert.Equal("Gatehouse:Keys:RotationPeriod", problem.Key);
        Assert.Equal("thirty days", problem.Value);
    }

    [Fact]
    public void SeveralProblems_AllReported() =>
        Assert.Equal(3, Invalid(s =>
        {
            s["Gatehouse:Issuer"] = null;
            s["Gatehouse:Keys:Algorithm"] = "none";
            s["Gatehouse:Clients:jwt-service:AccessTokenFormat"] = "plain";
        }).Problems.Count);

    [Fact]
    public void Message_ListsKeyValueAndFix()
    {
        var message = Invalid(s => s["Gatehouse:Keys:Algorithm"] = "HS256").Message;
        Assert.Contains("Gatehouse:Keys:Algorithm = 'HS256'", message);
        Assert.Contains("Fix: Use ES256", message);
    }

    [Theory]
    [InlineData("proxy.internal")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    public void ForwardedHeaders_TrustedProxyNotAnAddressOrNetwork_NamesTheKey(string proxy)
    {
        Assert.Equal(proxy, Single(s => s["Gatehouse:ForwardedHeaders:TrustedProxies:0"] = proxy, "Gatehouse:ForwardedHeaders:TrustedProxies:0").Value);
    }
}
