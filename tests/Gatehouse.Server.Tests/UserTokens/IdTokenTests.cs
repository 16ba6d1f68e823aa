using System.Security.Cryptography;
using System.Text;
using Gatehouse.Server.Tests.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Tests.UserTokens;

/// <summary>OIDC Core §2, §3.1.3.6 and §3.1.3.7, checked the way a relying party checks: Microsoft.IdentityModel against the JWKS.</summary>
public class IdTokenTests
{
    private static async Task<JsonWebToken> ValidateAsync(UserTokenHost host, string idToken, string audience)
    {
        var jwks = new JsonWebKeySet(await host.Client.GetStringAsync("/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = GatehouseTestHost.Issuer,
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["JWT"],
            // The host's clock is a fake one started now, so the real clock agrees with it.
            ValidateLifetime = true,
        });
        Assert.True(result.IsValid, result.Exception?.ToString());
        return (JsonWebToken)result.SecurityToken;
    }

    private static string ExpectedAtHash(string accessToken, HashAlgorithm hash)
    {
        var digest = hash.ComputeHash(Encoding.ASCII.GetBytes(accessToken));
        return Base64UrlEncoder.Encode(digest[..(digest.Length / 2)]);
    }

    [Fact]
    public async Task IdToken_FromCode_HasEveryRequiredClaimAndValidatesAgainstJwks()
    {
        await using var host = await UserTokenHost.StartAsync();
        var code = await host.IssueCodeAsync(amr: "pwd");
        var json = await OAuthRequests.JsonAsync(await host.ExchangeAsync(code));
        var accessToken = json.GetProperty("access_token").GetString()!;

        var idToken = await ValidateAsync(host, json.GetProperty("id_token").GetString()!, "web");

        Assert.Equal("ES256", idToken.Alg);
        Assert.Equal("JWT", idToken.Typ);
        Assert.Equal(host.Alice.Subject, idToken.Subject);
        Assert.Equal(["web"], idToken.Audiences);
        Assert.Equal(code.Record.Nonce, idToken.GetPayloadValue<string>("nonce"));
        Assert.Equal(code.Record.AuthTime, idToken.GetPayloadValue<long>("auth_time"));
        Assert.Equal(code.Record.SessionId, idToken.GetPayloadValue<string>("sid"));
        Assert.Equal(["pwd"], idToken.GetPayloadValue<string[]>("amr"));
        Assert.Equal("urn:gatehouse:acr:pwd", idToken.GetPayloadValue<string>("acr"));
        Assert.Equal(ExpectedAtHash(accessToken, SHA256.Create()), idToken.GetPayloadValue<string>("at_hash"));
        var iat = idToken.GetPayloadValue<long>("iat");
        Assert.Equal(host.Now, iat);
        Assert.Equal(300, idToken.GetPayloadValue<long>("exp") - iat); // IdTokenLifetime default 5 minutes
        Assert.False(idToken.TryGetPayloadValue<string>("azp", out _));
        // Profile and email claims are served by userinfo, since an access token is issued (OIDC Core §5.4).
        foreach (var claim in new[] { "name", "given_name", "email", "hospital", "roles", "scope", "client_id" })
            Assert.False(idToken.TryGetPayloadValue<object>(claim, out _), claim);
    }

    [Fact]
    public async Task IdToken_AfterTotp_HasMfaAmrAndAcr()
    {
        await using var host = await UserTokenHost.StartAsync();
        var json = await host.SignInAsync(amr: "pwd otp mfa");
        var idToken = new JsonWebToken(json.GetProperty("id_token").GetString()!);
        Assert.Equal(["pwd", "otp", "mfa"], idToken.GetPayloadValue<string[]>("amr"));
        Assert.Equal("urn:gatehouse:acr:mfa", idToken.GetPayloadValue<string>("acr"));
    }

    [Fact]
    public async Task IdToken_WithoutNonceInRequest_HasNoNonce()
    {
        await using var host = await UserTokenHost.StartAsync();
        var code = await host.IssueCodeAsync(nonce: null);
        var json = await OAuthRequests.JsonAsync(await host.ExchangeAsync(code));
        Assert.False(new JsonWebToken(json.GetProperty("id_token").GetString()!).TryGetPayloadValue<string>("nonce", out _));
    }

    [Fact]
    public async Task IdToken_JwtAccessToken_AtHashCoversTheJwt()
    {
        await using var host = await UserTokenHost.StartAsync();
        var json = await host.SignInAsync("native", "openid profile");
        var accessToken = json.GetProperty("access_token").GetString()!;
        var idToken = await ValidateAsync(host, json.GetProperty("id_token").GetString()!, "native");
        Assert.Equal(ExpectedAtHash(accessToken, SHA256.Create()), idToken.GetPayloadValue<string>("at_hash"));
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    public async Task IdToken_RsaKeys_SignedWithTheConfiguredAlgorithm(string algorithm)
    {
        await using var host = await UserTokenHost.StartAsync(s => s["Gatehouse:Keys:Algorithm"] = algorithm);
        var json = await host.SignInAsync();
        var idToken = await ValidateAsync(host, json.GetProperty("id_token").GetString()!, "web");
        Assert.Equal(algorithm, idToken.Alg);
        Assert.Equal(ExpectedAtHash(json.GetProperty("access_token").GetString()!, SHA256.Create()), idToken.GetPayloadValue<string>("at_hash"));
    }

    [Fact]
    public async Task IdToken_ClientIdTokenLifetime_SetsExp()
    {
        await using var host = await UserTokenHost.StartAsync(s => s["Gatehouse:Clients:web:IdTokenLifetime"] = "00:01:00");
        var idToken = new JsonWebToken((await host.SignInAsync()).GetProperty("id_token").GetString()!);
        Assert.Equal(60, idToken.GetPayloadValue<long>("exp") - idToken.GetPayloadValue<long>("iat"));
    }
}
