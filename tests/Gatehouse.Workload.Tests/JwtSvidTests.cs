using System.Security.Cryptography;
using System.Text;
using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Jwt;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Workload.Tests;

/// <summary>JWT-SVID.md §2–5: a positive and a negative case per rule.</summary>
public class JwtSvidTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly JwtSvidValidator _validator;
    private readonly JwtSigningKey _key;
    private readonly SpiffeBundle _bundle;

    public JwtSvidTests()
    {
        _validator = new JwtSvidValidator(_pki.Clock);
        _key = JwtSigningKey.Create(TestPki.Start, TestPki.Start.AddDays(1));
        _bundle = new SpiffeBundle(_pki.TrustDomain, jwtAuthorities: [_key.PublicJwk()]);
    }

    private Task<JwtSvidValidationResult> Validate(string token, string audience = "appointments") =>
        _validator.ValidateAsync(token, new SpiffeBundleSet(_bundle), audience);

    /// <summary>A token with any claims and header, signed with <see cref="_key"/> unless other credentials are given.</summary>
    private string Mint(Action<SecurityTokenDescriptor>? change = null, SigningCredentials? credentials = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = "spiffe://example.org/api", ["aud"] = "appointments" },
            Expires = TestPki.Start.AddMinutes(5).UtcDateTime,
            IssuedAt = TestPki.Start.UtcDateTime,
            TokenType = "JWT",
            SigningCredentials = credentials ?? _key.Credentials,
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    [Fact]
    public async Task Issued_IsValid_WithSubAudAndFiveMinuteExp()
    {
        var token = JwtSvidIssuer.Issue(_pki.Id("/api"), ["appointments"], _key, TestPki.Start);

        var result = await Validate(token);

        Assert.Equal(JwtSvidError.None, result.Error);
        Assert.Equal(_pki.Id("/api"), result.Id);
        Assert.Equal(TestPki.Start.AddMinutes(5), result.ExpiresAt);
        var jwt = new JsonWebToken(token);
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal("JWT", jwt.Typ);
        Assert.Equal(_key.Kid, jwt.Kid);
        Assert.Equal(3, token.Split('.').Length);
    }

    [Fact]
    public async Task Issued_ByCaManager_ValidatesAgainstItsBundle()
    {
        var token = _pki.Ca.IssueJwtSvid(_pki.Id("/api"), ["appointments"]);

        Assert.True((await _validator.ValidateAsync(token, _pki.Ca.Bundle, "appointments")).IsValid);
    }

    [Fact]
    public async Task Aud_MultipleValues_IssuedAsArray_EachAccepted()
    {
        var token = JwtSvidIssuer.Issue(_pki.Id("/api"), ["appointments", "billing"], _key, TestPki.Start);

        Assert.True((await Validate(token, "billing")).IsValid);
        Assert.Equal(["appointments", "billing"], (await Validate(token, "appointments")).Audiences);
    }

    [Fact]
    public async Task Aud_Missing_Rejected() =>
        Assert.Equal(JwtSvidError.MissingAudience, (await Validate(Mint(d => d.Claims.Remove("aud")))).Error);

    [Fact]
    public async Task Aud_NotContainingValidatorsAudience_Rejected() =>
        Assert.Equal(JwtSvidError.AudienceMismatch, (await Validate(Mint(), "billing")).Error);

    [Fact]
    public void Aud_IssuerRefusesNone() =>
        Assert.Throws<ArgumentException>(() => JwtSvidIssuer.Issue(_pki.Id("/api"), [], _key, TestPki.Start));

    [Fact]
    public async Task Exp_Missing_Rejected() =>
        Assert.Equal(JwtSvidError.MissingExpiration, (await Validate(Mint(d => d.Expires = null))).Error);

    [Fact]
    public async Task Exp_InThePast_Rejected()
    {
        var token = Mint();
        _pki.Clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(JwtSvidError.Expired, (await Validate(token)).Error);
    }

    [Fact]
    public async Task Exp_WithinLeeway_Accepted()
    {
        var token = Mint();
        _pki.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(10));

        Assert.True((await Validate(token)).IsValid);
    }

    [Fact]
    public async Task Nbf_InTheFuture_Rejected() =>
        Assert.Equal(JwtSvidError.NotYetValid, (await Validate(Mint(d => d.NotBefore = TestPki.Start.AddMinutes(2).UtcDateTime))).Error);

    [Fact]
    public async Task Alg_None_Rejected()
    {
        var unsigned = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = "spiffe://example.org/api", ["aud"] = "appointments" },
            Expires = TestPki.Start.AddMinutes(5).UtcDateTime,
        });
        Assert.Equal("none", new JsonWebToken(unsigned).Alg);

        Assert.Equal(JwtSvidError.UnsupportedAlgorithm, (await Validate(unsigned)).Error);
    }

    [Fact]
    public async Task Alg_HS256_Rejected()
    {
        var hmac = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = _key.Kid }, SecurityAlgorithms.HmacSha256);

        Assert.Equal(JwtSvidError.UnsupportedAlgorithm, (await Validate(Mint(credentials: hmac))).Error);
    }

    [Theory]
    [InlineData(SecurityAlgorithms.RsaSha256)]
    [InlineData(SecurityAlgorithms.RsaSha384)]
    [InlineData(SecurityAlgorithms.RsaSha512)]
    [InlineData(SecurityAlgorithms.RsaSsaPssSha256)]
    [InlineData(SecurityAlgorithms.RsaSsaPssSha384)]
    [InlineData(SecurityAlgorithms.RsaSsaPssSha512)]
    public async Task Alg_RsaFamilies_Accepted(string alg)
    {
        using var rsa = RSA.Create(2048);
        var bundle = new SpiffeBundle(_pki.TrustDomain, jwtAuthorities: [SpiffeBundle.JwtAuthority("rsa-1", rsa)]);
        var token = Mint(credentials: new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = "rsa-1" }, alg));

        Assert.Equal(JwtSvidError.None, (await _validator.ValidateAsync(token, bundle, "appointments")).Error);
    }

    [Theory]
    [InlineData(SecurityAlgorithms.EcdsaSha384, "P-384")]
    [InlineData(SecurityAlgorithms.EcdsaSha512, "P-521")]
    public async Task Alg_EcdsaFamilies_Accepted(string alg, string curve)
    {
        using var ec = ECDsa.Create(curve == "P-384" ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP521);
        var bundle = new SpiffeBundle(_pki.TrustDomain, jwtAuthorities: [SpiffeBundle.JwtAuthority("ec-1", ec)]);
        var token = Mint(credentials: new SigningCredentials(new ECDsaSecurityKey(ec) { KeyId = "ec-1" }, alg));

        Assert.Equal(JwtSvidError.None, (await _validator.ValidateAsync(token, bundle, "appointments")).Error);
    }

    [Fact]
    public void Issued_HeaderHasOnlyAlgKidTyp()
    {
        var token = JwtSvidIssuer.Issue(_pki.Id("/api"), ["appointments"], _key, TestPki.Start);

        var header = System.Text.Json.JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[0]));
        Assert.Equal(["alg", "kid", "typ"], header.RootElement.EnumerateObject().Select(p => p.Name).Order());
    }

    [Theory]
    [InlineData("jku")]
    [InlineData("x5u")]
    [InlineData("cty")]
    [InlineData("private")]
    public async Task Header_NotAlgKidTyp_Rejected(string name) =>
        Assert.Equal(JwtSvidError.DisallowedHeader,
            (await Validate(Mint(d => d.AdditionalHeaderClaims = new Dictionary<string, object> { [name] = "x" }))).Error);

    [Fact]
    public async Task Typ_JOSE_Accepted() => Assert.True((await Validate(Mint(d => d.TokenType = "JOSE"))).IsValid);

    [Fact]
    public async Task Typ_Other_Rejected() =>
        Assert.Equal(JwtSvidError.InvalidType, (await Validate(Mint(d => d.TokenType = "at+jwt"))).Error);

    [Fact]
    public async Task Sub_NotSpiffeId_Rejected() =>
        Assert.Equal(JwtSvidError.InvalidSubject, (await Validate(Mint(d => d.Claims["sub"] = "api"))).Error);

    [Fact]
    public async Task Sub_Missing_Rejected() =>
        Assert.Equal(JwtSvidError.InvalidSubject, (await Validate(Mint(d => d.Claims.Remove("sub")))).Error);

    [Fact]
    public async Task ForeignBundle_SubInOtherTrustDomain_Rejected() =>
        Assert.Equal(JwtSvidError.TrustDomainMismatch, (await Validate(Mint(d => d.Claims["sub"] = "spiffe://other.org/api"))).Error);

    [Fact]
    public async Task ForeignBundle_SignedByOtherTrustDomainsKey_Rejected()
    {
        // other.org publishes a key with the same kid; the token claims example.org, so only example.org's keys count.
        using var foreignKey = new JwtSigningKey(_key.Kid, ECDsa.Create(ECCurve.NamedCurves.nistP256), TestPki.Start, TestPki.Start.AddDays(1));
        var set = new SpiffeBundleSet(_bundle, new SpiffeBundle(TrustDomain.Parse("other.org"), jwtAuthorities: [foreignKey.PublicJwk()]));
        var token = Mint(credentials: foreignKey.Credentials);

        Assert.Equal(JwtSvidError.InvalidSignature, (await _validator.ValidateAsync(token, set, "appointments")).Error);
    }

    [Fact]
    public async Task Kid_Unknown_Rejected()
    {
        using var other = JwtSigningKey.Create(TestPki.Start, TestPki.Start.AddDays(1));

        Assert.Equal(JwtSvidError.UnknownKey, (await Validate(Mint(credentials: other.Credentials))).Error);
    }

    [Fact]
    public async Task Signature_Tampered_Rejected()
    {
        var parts = Mint().Split('.');
        var payload = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(
            """{"sub":"spiffe://example.org/admin","aud":"appointments","exp":1767225900}"""));

        Assert.Equal(JwtSvidError.InvalidSignature, (await Validate($"{parts[0]}.{payload}.{parts[2]}")).Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c.d.e")]
    public async Task CompactJws_Required(string token) =>
        Assert.Equal(JwtSvidError.Malformed, (await Validate(token)).Error);

    public void Dispose()
    {
        _key.Dispose();
        _pki.Dispose();
    }
}
