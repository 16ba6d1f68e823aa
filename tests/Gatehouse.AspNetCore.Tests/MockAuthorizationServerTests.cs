using System.Net;
using System.Text.Json;
using Gatehouse.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.AspNetCore.Tests;

/// <summary>The mock authorization server and token builder themselves: what tests rely on them for.</summary>
public sealed class MockAuthorizationServerTests
{
    [Fact]
    public async Task ServesItsJwksOverLoopbackHttp_AndCountsRequests()
    {
        await using var mock = await MockAuthorizationServer.StartAsync();
        Assert.Equal("127.0.0.1", mock.BaseAddress.Host);
        using var http = new HttpClient();
        using var jwks = JsonDocument.Parse(await http.GetStringAsync(mock.JwksUri));
        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal(mock.SigningKey.Kid, key.GetProperty("kid").GetString());
        Assert.False(key.TryGetProperty("d", out _));   // never the private key
        Assert.Equal(1, mock.JwksRequestCount);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(mock.BaseAddress, "token"))).StatusCode);
    }

    [Fact]
    public async Task MintedToken_VerifiesAgainstThePublishedJwks()
    {
        await using var mock = await MockAuthorizationServer.StartAsync(new MockAuthorizationServerOptions { Algorithm = "PS256" });
        using var http = new HttpClient();
        var keys = new JsonWebKeySet(await http.GetStringAsync(mock.JwksUri)).GetSigningKeys();
        var token = mock.Token().Subject("dr-alice").Scope("appointments").Claim("department", "cardiology").Build();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = mock.Issuer, ValidAudience = mock.Audience, IssuerSigningKeys = keys, ValidTypes = ["at+jwt"],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal("PS256", jwt.Alg);
        Assert.Equal("dr-alice", jwt.Subject);
        Assert.Equal("cardiology", jwt.GetClaim("department").Value);
        Assert.Equal("appointments", jwt.GetClaim("scope").Value);
    }

    [Fact]
    public void SigningKeyFile_IsCreatedOnce_PrivateToItsOwner_AndReloadsTheSameKey()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gatehouse-key-{Guid.NewGuid():N}.pem");
        try
        {
            var first = SigningKeyFile.LoadOrCreate(path, out var created);
            Assert.True(created);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var again = SigningKeyFile.LoadOrCreate(path, out created);
            Assert.False(created);
            Assert.Equal(first.Kid, again.Kid);
            Assert.Equal("ES256", again.Algorithm);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BrokenTokens_AreBrokenTheWayTheySay()
    {
        var key = MockSigningKey.Create();
        var builder = () => new TokenBuilder("https://issuer", "api", key);
        static JsonWebToken Read(string t) => new(t);

        Assert.Equal("none", Read(builder().AlgNone().Build()).Alg);
        Assert.Equal("HS256", Read(builder().Hs256WithPublicKey().Build()).Alg);
        Assert.Equal(key.Kid, Read(builder().Hs256WithPublicKey().Build()).Kid);
        Assert.True(Read(builder().Expired().Build()).ValidTo < DateTime.UtcNow.AddMinutes(-5));
        Assert.True(Read(builder().NotYetValid().Build()).ValidFrom > DateTime.UtcNow.AddMinutes(5));
        Assert.Equal("attacker", Read(builder().TamperedPayload().Build()).Subject);
        Assert.False(Read(builder().Without("sub").Build()).TryGetClaim("sub", out _));
        Assert.Equal(2, MalformedTokens.NotThreeParts.Count(c => c == '.') + 1);
        Assert.Throws<ArgumentException>(() => new JsonWebToken(MalformedTokens.BadJson));
        Assert.Equal(["a", "b"], Read(builder().Claim("aud", "a", "b").Build()).Audiences);
    }
}
