using System.Net;
using Gatehouse.AspNetCore.Errors;
using Gatehouse.Testing;

namespace Gatehouse.AspNetCore.Tests;

/// <summary>Each validation rule of AddGatehouseApi, one case per rule and per broken-token kind.</summary>
public sealed class TokenValidationTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private TokenBuilder Token() => f.Mock.Token().Subject("alice").ClientId("web").Scope("records");

    [Fact]
    public async Task ValidToken_IsAccepted_AndExposesTypedPrincipal()
    {
        var token = Token().Role("doctor", "admin").Claim("department", "cardiology").Claim("hospitals", "h1", "h2").Build();
        var me = await Expect.Ok(await f.Api.GetAsync("/me", token));
        Assert.Equal("alice", me.GetProperty("subject").GetString());
        Assert.Equal("web", me.GetProperty("clientId").GetString());
        Assert.Equal(["records"], me.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(["admin", "doctor"], me.GetProperty("roles").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("cardiology", me.GetProperty("department").GetString());
        Assert.Equal(["h1", "h2"], me.GetProperty("hospitals").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task NoToken_Returns401_WithoutErrorCode()
    {
        var response = await f.Api.GetAsync("/default", null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Null(challenge.Parameter);   // RFC 6750 §3.1: no error code when no authentication was attempted
        Assert.DoesNotContain("invalid_token", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OtherAuthorizationScheme_IsTreatedAsNoToken()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/default");
        request.Headers.Authorization = new("Basic", "YWxpY2U6c2VjcmV0");
        var response = await f.Api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Fact]
    public async Task AllowAnonymousEndpoint_NeedsNoToken() =>
        Assert.Equal("hello", await (await f.Api.GetAsync("/public", null)).Content.ReadAsStringAsync());

    [Fact]
    public async Task Expired_Returns401() => await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().Expired().Build()), TokenFailureReason.Expired);

    [Fact]
    public async Task ExpiredWithinClockSkew_IsAccepted() =>
        await Expect.Ok(await f.Api.GetAsync("/default", Token().Expired(TimeSpan.FromSeconds(10)).Build()));

    [Fact]
    public async Task ExpiredJustBeyondClockSkew_Returns401() =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().Expired(TimeSpan.FromSeconds(45)).Build()), TokenFailureReason.Expired);

    [Fact]
    public async Task NotYetValid_Returns401() =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().NotYetValid().Build()), TokenFailureReason.NotYetValid);

    [Fact]
    public async Task NotYetValidWithinClockSkew_IsAccepted() =>
        await Expect.Ok(await f.Api.GetAsync("/default", Token().NotYetValid(TimeSpan.FromSeconds(10)).Build()));

    [Fact]
    public async Task WrongIssuer_Returns401() =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().Issuer("https://evil.example").Build()), TokenFailureReason.InvalidIssuer);

    [Fact]
    public async Task WrongAudience_Returns401() =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().Audience("another-api").Build()), TokenFailureReason.InvalidAudience);

    [Fact]
    public async Task UnknownKey_Returns401() =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().SignedWith(MockAuthorizationServer.CreateUnpublishedKey()).Build()), TokenFailureReason.UnknownKey);

    [Fact]
    public async Task TamperedSignature_Returns401() =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().TamperedSignature().Build()), TokenFailureReason.InvalidSignature);

    [Fact]
    public async Task TamperedPayload_Returns401() =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().TamperedPayload().Build()), TokenFailureReason.InvalidSignature);

    [Fact]
    public async Task AlgNone_Returns401()
    {
        var token = Token().AlgNone().Build();
        Assert.EndsWith(".", token);   // really unsigned
        await Expect.InvalidToken(await f.Api.GetAsync("/default", token), TokenFailureReason.InvalidSignature);
    }

    [Fact]
    public async Task Hs256SignedWithPublicKey_Returns401()
    {
        var token = Token().Hs256WithPublicKey().Build();
        Assert.Contains("\"HS256\"", System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(token.Split('.')[0])));
        // IdentityModel reports the disallowed algorithm as a signature failure.
        await Expect.InvalidToken(await f.Api.GetAsync("/default", token), TokenFailureReason.InvalidSignature);
    }

    [Fact]
    public async Task WrongType_Returns401() =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().Type("JWT").Build()), TokenFailureReason.InvalidType);

    [Fact]
    public async Task FullMediaType_ApplicationAtJwt_IsAccepted() =>   // RFC 9068 §4
        await Expect.Ok(await f.Api.GetAsync("/default", Token().Type("application/at+jwt").Build()));

    [Fact]
    public async Task AudienceArray_ContainingThisApi_IsAccepted() =>
        await Expect.Ok(await f.Api.GetAsync("/default", Token().Without("aud").Claim("aud", "other-api", "test-api").Build()));

    [Fact]
    public async Task MissingType_Returns401() =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().Type(null).Build()), TokenFailureReason.InvalidType);

    [Theory]
    [InlineData("sub")]
    [InlineData("client_id")]
    [InlineData("jti")]
    [InlineData("iat")]
    public async Task MissingRequiredClaim_Returns401(string claim) =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().Without(claim).Build()), TokenFailureReason.MissingClaim);

    [Fact]
    public async Task MissingExpiry_Returns401() =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", Token().Without("exp").Build()), TokenFailureReason.Invalid);

    [Theory]
    [InlineData("not-three-parts")]
    [InlineData("bad-base64")]
    [InlineData("bad-json")]
    public async Task Malformed_Returns401(string kind) =>
        await Expect.InvalidToken(await f.Api.GetAsync("/default", MalformedTokens.All[kind]), TokenFailureReason.Malformed);

    [Fact]
    public async Task ErrorDescription_NeverEchoesTheToken()
    {
        var token = Token().Expired().Build();
        var response = await f.Api.GetAsync("/default", token);
        Assert.DoesNotContain(token.Split('.')[1], response.Headers.WwwAuthenticate.ToString());
        Assert.DoesNotContain(token.Split('.')[1], await response.Content.ReadAsStringAsync());
    }
}
