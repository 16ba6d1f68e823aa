using System.Net;
using Gatehouse.Testing;

namespace Gatehouse.Samples.Medical.Tests;

/// <summary>Rule: only valid, current tokens issued for this API are accepted. One case per broken-token kind.</summary>
public sealed class BrokenTokenTests(MedicalApiFixture api) : IClassFixture<MedicalApiFixture>
{
    private const string Path = "/appointments";

    private Task Rejected(string scenario, string token, string reason, [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        SecurityReport.Check(Rules.ValidTokensOnly, scenario, async () =>
        {
            using var response = await api.Send(HttpMethod.Get, Path, token);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"expected 401, got {(int)response.StatusCode}: {body}");
            var challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            Assert.StartsWith("error=\"invalid_token\"", challenge.Parameter);
            Assert.Contains($"\"reason\":\"{reason}\"", body);
        }, test);

    [Fact]
    public Task ValidToken_Returns200() =>
        SecurityReport.Check(Rules.ValidTokensOnly, "A valid token for a doctor is accepted, its key fetched from the JWKS over HTTP (control case)", async () =>
        {
            await api.Get(Path, api.Alice()).Status(HttpStatusCode.OK);
            Assert.True(api.Mock.JwksRequestCount >= 1);
        });

    [Fact]
    public Task NoToken_Returns401WithoutErrorCode() =>
        SecurityReport.Check(Rules.ValidTokensOnly, "A request without a token gets 401 and a bare 'Bearer' challenge (RFC 6750 §3.1)", async () =>
        {
            using var response = await api.Send(HttpMethod.Get, Path, (string?)null);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        });

    [Theory]
    [InlineData("not-three-parts")]
    [InlineData("bad-base64")]
    [InlineData("bad-json")]
    public Task MalformedToken_Returns401(string kind) =>
        Rejected($"A malformed token ({kind}) is refused", MalformedTokens.All[kind], "malformed");

    [Fact]
    public Task ExpiredToken_Returns401() =>
        Rejected("An expired token is refused", api.Alice().Expired().Build(), "expired");

    [Fact]
    public Task NotYetValidToken_Returns401() =>
        Rejected("A token that is not valid yet (nbf in the future) is refused", api.Alice().NotYetValid().Build(), "not_yet_valid");

    [Fact]
    public Task WrongIssuer_Returns401() =>
        Rejected("A token from another issuer is refused", api.Alice().Issuer("https://login.evil.example").Build(), "invalid_issuer");

    [Fact]
    public Task WrongAudience_Returns401() =>
        Rejected("A token issued for another API is refused", api.Alice().Audience("billing-api").Build(), "invalid_audience");

    [Fact]
    public Task UnknownKey_Returns401() =>
        Rejected("A token signed with a key the authorization server does not publish is refused",
            api.Alice().SignedWith(MockAuthorizationServer.CreateUnpublishedKey()).Build(), "unknown_key");

    [Fact]
    public Task TamperedSignature_Returns401() =>
        Rejected("A token whose signature was altered is refused", api.Alice().TamperedSignature().Build(), "invalid_signature");

    [Fact]
    public Task TamperedPayload_Returns401() =>
        Rejected("A token whose claims were altered after signing is refused", api.Alice().TamperedPayload().Build(), "invalid_signature");

    [Fact]
    public Task AlgNone_Returns401() =>
        Rejected("An unsigned token (alg: none) is refused", api.Alice().AlgNone().Build(), "invalid_signature");

    [Fact]
    public Task Hs256SignedWithPublicKey_Returns401() =>
        Rejected("A token HMAC-signed with the server's public key (key confusion) is refused", api.Alice().Hs256WithPublicKey().Build(), "invalid_signature");

    [Fact]
    public Task NotAnAccessToken_Returns401() =>
        Rejected("A JWT that is not an access token (typ is not at+jwt, e.g. an ID token) is refused", api.Alice().Type("JWT").Build(), "invalid_type");

    [Fact]
    public Task MissingSubject_Returns401() =>
        Rejected("A token without a subject is refused", api.Alice().Without("sub").Build(), "missing_claim");
}
