using System.Text;
using Gatehouse.Protocol.Clients;
using Gatehouse.Protocol.Errors;
using Gatehouse.Protocol.Tokens;

namespace Gatehouse.Protocol.Tests;

public class ClientSecretBasicTests
{
    private static string Header(string raw) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(raw));

    [Theory]
    [InlineData("client:secret", "client", "secret")]
    [InlineData("my%20client:s%3Acret", "my client", "s:cret")] // RFC 6749 §2.3.1 form-encoding
    [InlineData("a+b:c+d", "a b", "c d")]
    [InlineData("client:se:cret", "client", "se:cret")] // first ':' separates
    [InlineData("client:", "client", "")]
    public void TryParse_DecodesFormEncodedPair(string raw, string id, string secret)
    {
        Assert.True(ClientSecretBasic.TryParse(Header(raw), out var parsedId, out var parsedSecret, out _));
        Assert.Equal(id, parsedId);
        Assert.Equal(secret, parsedSecret);
    }

    [Fact]
    public void TryParse_SchemeIsCaseInsensitive() =>
        Assert.True(ClientSecretBasic.TryParse("bAsIc " + Convert.ToBase64String("a:b"u8.ToArray()), out _, out _, out _));

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("Basic")]
    [InlineData("Basic ***")]
    [InlineData("Basic Y2xpZW50")] // "client"
    [InlineData("Basic OnNlY3JldA==")] // ":secret"
    [InlineData("Basic /w==")] // not UTF-8
    [InlineData("Basic YSUyOmI=")] // "a%2:b"
    public void TryParse_RejectsMalformed(string header)
    {
        Assert.False(ClientSecretBasic.TryParse(header, out _, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void TryParse_RejectsOverlongHeader() =>
        Assert.False(ClientSecretBasic.TryParse("Basic " + new string('A', 5000), out _, out _, out _));
}

public class TokenHashTests
{
    [Fact]
    public void Sha256_IsBase64UrlWithoutPadding()
    {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        Assert.Equal("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0", TokenHash.Sha256("abc"));
    }

    [Fact]
    public void Matches_OnlyTheSameSecret()
    {
        var hash = TokenHash.Sha256("s3cret");
        Assert.True(TokenHash.Matches("s3cret", hash));
        Assert.False(TokenHash.Matches("s3cres", hash));
        Assert.False(TokenHash.Matches("", hash));
    }

    [Fact]
    public void Sha256_LongInput() => Assert.Equal(43, TokenHash.Sha256(new string('x', 10_000)).Length);

    [Fact]
    public void OpaqueToken_Is43Base64UrlCharactersAndUnique()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => OpaqueToken.Create()).ToHashSet();
        Assert.Equal(100, tokens.Count);
        Assert.All(tokens, t => Assert.Matches("^[A-Za-z0-9_-]{43}$", t));
    }

    [Fact]
    public void Echo_ReplacesCharactersNotAllowedInErrorDescription() =>
        Assert.Equal("a?b?c?d", OAuthError.Echo("a\"b\\c\u00e9d"));
}
