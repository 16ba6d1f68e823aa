using Gatehouse.Server.Configuration;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Tests.Hosting;
using Microsoft.Extensions.Configuration;

namespace Gatehouse.Server.Tests.Configuration;

/// <summary>Settings of the authentication role, users and user-facing clients: each mistake names its key and fix.</summary>
public class AuthenticationConfigurationTests
{
    private const string Web = "Gatehouse:Clients:cfg-web";
    private const string App = "Gatehouse:Clients:cfg-app";

    private static Dictionary<string, string?> Settings()
    {
        var settings = GatehouseTestHost.DefaultSettings(Path.GetTempPath());
        settings[$"{Web}:Secret"] = new string('w', 40);
        settings[$"{Web}:GrantTypes:0"] = "authorization_code";
        settings[$"{Web}:GrantTypes:1"] = "refresh_token";
        settings[$"{Web}:RedirectUris:0"] = "https://app.example/signin-oidc";
        settings[$"{Web}:PostLogoutRedirectUris:0"] = "https://app.example/signed-out";
        settings[$"{Web}:Audience"] = "https://api.test";
        settings[$"{App}:Public"] = "true";
        settings[$"{App}:GrantTypes:0"] = "authorization_code";
        settings[$"{App}:RedirectUris:0"] = "com.example.app:/callback";
        settings[$"{App}:RedirectUris:1"] = "http://127.0.0.1/callback";
        settings[$"{App}:Audience"] = "https://api.test";
        settings["Gatehouse:Users:cfg-alice:Password"] = "alice-password";
        settings["Gatehouse:Users:cfg-alice:Claims:department"] = "cardiology";
        settings["Gatehouse:Users:cfg-alice:Roles:0"] = "doctor";
        return settings;
    }

    private static GatehouseOptions Load(Dictionary<string, string?> settings) =>
        GatehouseConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null)).Build());

    private static ConfigurationProblem Single(Action<Dictionary<string, string?>> amend, string key)
    {
        var settings = Settings();
        amend(settings);
        var problem = Assert.Single(Assert.Throws<GatehouseConfigurationException>(() => Load(settings)).Problems);
        Assert.Equal(key, problem.Key);
        Assert.False(string.IsNullOrWhiteSpace(problem.Fix));
        return problem;
    }

    [Fact]
    public void WebClient_PublicClient_AndUser_AreValid()
    {
        var options = Load(Settings());

        Assert.True(options.Clients["cfg-app"].Public);
        Assert.Equal(["doctor"], options.Users["cfg-alice"].Roles);
        Assert.Equal("cardiology", options.Users["cfg-alice"].Claims["department"]);
    }

    [Fact]
    public void AuthorizationCodeClient_WithoutRedirectUri() =>
        Single(s => s[$"{Web}:RedirectUris:0"] = null, $"{Web}:RedirectUris");

    [Theory]
    [InlineData("/relative/callback")]
    [InlineData("https://app.example/cb#fragment")]
    [InlineData("http://app.example/cb")]
    [InlineData("javascript:alert(1)")]
    public void InvalidRedirectUri(string uri) =>
        Assert.Equal(uri, Single(s => s[$"{Web}:RedirectUris:0"] = uri, $"{Web}:RedirectUris:0").Value);

    [Fact]
    public void InvalidPostLogoutRedirectUri() =>
        Single(s => s[$"{Web}:PostLogoutRedirectUris:0"] = "http://evil.example/", $"{Web}:PostLogoutRedirectUris:0");

    [Fact]
    public void PublicClient_WithASecret() =>
        Assert.Contains("no secret", Single(s => s[$"{App}:Secret"] = new string('s', 40), $"{App}:Public").Problem);

    [Fact]
    public void PublicClient_WithClientCredentials() =>
        Single(s => s[$"{App}:GrantTypes:1"] = "client_credentials", $"{App}:GrantTypes:1");

    [Fact]
    public void PublicClient_WithIntrospection() =>
        Single(s => s[$"{App}:Introspection"] = "true", $"{App}:Introspection");

    [Theory]
    [InlineData("00:00:30")]
    [InlineData("400.00:00:00")]
    public void RefreshTokenLifetime_OutOfRange(string value) =>
        Single(s => s[$"{Web}:RefreshTokenLifetime"] = value, $"{Web}:RefreshTokenLifetime");

    [Fact]
    public void User_WithoutPassword() =>
        Single(s => s["Gatehouse:Users:cfg-alice:Password"] = null, "Gatehouse:Users:cfg-alice:Password");

    [Fact]
    public void User_WithShortPassword_DoesNotEchoIt()
    {
        var problem = Single(s => s["Gatehouse:Users:cfg-alice:Password"] = "short", "Gatehouse:Users:cfg-alice:Password");
        Assert.NotEqual("short", problem.Value);
    }

    [Fact]
    public void User_WithMalformedPasswordHash()
    {
        var problem = Single(s =>
        {
            s["Gatehouse:Users:cfg-alice:Password"] = null;
            s["Gatehouse:Users:cfg-alice:PasswordHash"] = "md5$abc";
        }, "Gatehouse:Users:cfg-alice:PasswordHash");
        Assert.NotEqual("md5$abc", problem.Value);
    }

    [Fact]
    public void User_WithAReservedClaim() =>
        Single(s => s["Gatehouse:Users:cfg-alice:Claims:sub"] = "someone-else", "Gatehouse:Users:cfg-alice:Claims:sub");

    [Theory]
    [InlineData("Authentication:AuthorizationCodeLifetime", "00:30:00")]
    [InlineData("Authentication:SessionLifetime", "00:00:10")]
    [InlineData("Authentication:PushedRequestLifetime", "01:00:00")]
    [InlineData("Authentication:LockoutThreshold", "0")]
    [InlineData("Authentication:PasswordHashIterations", "10")]
    public void AuthenticationSetting_OutOfRange(string key, string value) =>
        Single(s => s[$"Gatehouse:{key}"] = value, $"Gatehouse:{key}");
}
