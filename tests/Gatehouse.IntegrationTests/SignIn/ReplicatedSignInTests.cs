using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gatehouse.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.IntegrationTests.SignIn;

/// <summary>
/// Two replicas of the authentication role on one store, each with its own home directory (as two pods would have):
/// a login form served by one is accepted by the other, because the Data Protection keys behind the antiforgery token
/// live in the store, encrypted — not in a home directory.
/// </summary>
public class ReplicatedSignInTests
{
    private const string RedirectUri = "https://app.test/callback";

    [Fact]
    public async Task LoginForm_FromOneReplica_IsAcceptedByAnother_AndTheSharedKeysAreEncryptedInTheStore()
    {
        using var work = new TempDirectory();
        int portA = FreePort.Next(), portB = FreePort.Next();
        var config = TestConfiguration.Create(work.Path, portA, roles: "authentication,token");
        config.Gatehouse["Authentication"] = new JsonObject { ["PasswordHashIterations"] = 1000 };
        config.Gatehouse["Scopes"]!["openid"] = new JsonObject { ["Description"] = "Sign you in" };
        config.Gatehouse["Clients"]!["web"] = new JsonObject
        {
            ["Secret"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)),
            ["GrantTypes"] = new JsonArray("authorization_code"),
            ["Scopes"] = new JsonArray("openid"),
            ["Audience"] = TestConfiguration.ApiAudience,
            ["RedirectUris"] = new JsonArray(RedirectUri),
            ["RequireConsent"] = false,
        };
        config.Gatehouse["Users"] = new JsonObject { ["erin"] = new JsonObject { ["Password"] = "erin-password" } };
        config.Save();
        var migrate = await GatehouseProcess.RunAsync(["migrate", "--config", config.Path]);
        Assert.True(migrate.ExitCode == 0, migrate.Description);

        await using var a = Replica(config, portA, work.Combine("home-a"));
        await using var b = Replica(config, portB, work.Combine("home-b"));
        await a.WaitForHttpOkAsync(new Uri($"http://127.0.0.1:{portA}"), "/health/ready");
        await b.WaitForHttpOkAsync(new Uri($"http://127.0.0.1:{portB}"), "/health/ready");

        using var browser = new FormBrowser();
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData("a-verifier-of-at-least-forty-three-characters-long"u8));
        await browser.NavigateAsync($"{config.Issuer}/authorize?response_type=code&client_id=web&scope=openid&state=s1" +
            $"&redirect_uri={Uri.EscapeDataString(RedirectUri)}&code_challenge={challenge}&code_challenge_method=S256", stopAt: RedirectUri);
        Assert.StartsWith("Sign in", browser.Page.Title);

        await browser.SubmitAsync("Sign in", new Dictionary<string, string> { ["Username"] = "erin", ["Password"] = "erin-password" },
            stopAt: RedirectUri, submitTo: new Uri($"http://127.0.0.1:{portB}"));

        Assert.StartsWith(RedirectUri + "?code=", browser.Url.ToString());
        Assert.Contains("state=s1", browser.Url.Query);

        await using var store = new SqliteConnection($"Data Source={config.DatabasePath}");
        await store.OpenAsync();
        await using var query = store.CreateCommand();
        query.CommandText = "SELECT xml FROM data_protection_keys";
        var keys = new List<string>();
        await using (var reader = await query.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                keys.Add(reader.GetString(0));
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("<encryptedSecret", xml);
            Assert.DoesNotContain("<masterKey", xml);
        });
        Assert.False(Directory.Exists(Path.Combine(work.Combine("home-a"), ".aspnet", "DataProtection-Keys")), "keys were written to the home directory");
    }

    private static GatehouseProcess Replica(TestConfiguration config, int port, string home)
    {
        Directory.CreateDirectory(home);
        return GatehouseProcess.Start(["serve", "--config", config.Path, "--urls", $"http://127.0.0.1:{port}"], environment: new Dictionary<string, string?> { ["HOME"] = home });
    }
}
