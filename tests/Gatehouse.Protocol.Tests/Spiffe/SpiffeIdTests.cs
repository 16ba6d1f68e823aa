using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Protocol.Tests.Spiffe;

/// <summary>SPIFFE-ID.md §2: one table, one row per rule and case; each row names the rule it checks.</summary>
public class SpiffeIdTests
{
    private static readonly string Td255 = new('a', 255);
    private static readonly string Td256 = new('a', 256);

    public static TheoryData<string, string, SpiffeIdError> Rows => new()
    {
        // rule                          input                                       expected
        { "scheme: lowercase spiffe",    "spiffe://example.org/api",                  SpiffeIdError.None },
        { "scheme: lowercase spiffe",    "SPIFFE://example.org/api",                  SpiffeIdError.WrongScheme },
        { "scheme: lowercase spiffe",    "Spiffe://example.org/api",                  SpiffeIdError.WrongScheme },
        { "scheme: lowercase spiffe",    "https://example.org/api",                   SpiffeIdError.WrongScheme },
        { "scheme: lowercase spiffe",    "spiffe:/example.org/api",                   SpiffeIdError.WrongScheme },
        { "scheme: lowercase spiffe",    "example.org/api",                           SpiffeIdError.WrongScheme },
        { "non-empty",                   "",                                          SpiffeIdError.Empty },
        { "trust domain: required",      "spiffe://",                                 SpiffeIdError.MissingTrustDomain },
        { "trust domain: required",      "spiffe:///api",                             SpiffeIdError.MissingTrustDomain },
        { "trust domain: charset",       "spiffe://a-b_c.9/api",                      SpiffeIdError.None },
        { "trust domain: charset",       "spiffe://Example.org/api",                  SpiffeIdError.TrustDomainCharacter },
        { "trust domain: charset",       "spiffe://exa mple.org/api",                 SpiffeIdError.TrustDomainCharacter },
        { "trust domain: charset",       "spiffe://exämple.org/api",                  SpiffeIdError.TrustDomainCharacter },
        { "trust domain: charset",       "spiffe://[::1]/api",                        SpiffeIdError.TrustDomainCharacter },
        { "trust domain: <= 255 bytes",  "spiffe://" + Td255 + "/api",                SpiffeIdError.None },
        { "trust domain: <= 255 bytes",  "spiffe://" + Td256 + "/api",                SpiffeIdError.TrustDomainTooLong },
        { "no port",                     "spiffe://example.org:8443/api",             SpiffeIdError.Port },
        { "no port",                     "spiffe://example.org:/api",                 SpiffeIdError.Port },
        { "no userinfo",                 "spiffe://user@example.org/api",             SpiffeIdError.UserInfo },
        { "no userinfo",                 "spiffe://user:pw@example.org/api",          SpiffeIdError.UserInfo },
        { "no percent-encoding",         "spiffe://example%2eorg/api",                SpiffeIdError.PercentEncoding },
        { "no percent-encoding",         "spiffe://example.org/a%20b",                SpiffeIdError.PercentEncoding },
        { "path: charset",               "spiffe://example.org/Ns/prod-1/sa/api_v2.x", SpiffeIdError.None },
        { "path: charset",               "spiffe://example.org/a b",                  SpiffeIdError.PathCharacter },
        { "path: charset",               "spiffe://example.org/a:b",                  SpiffeIdError.PathCharacter },
        { "path: charset",               "spiffe://example.org/ä",                    SpiffeIdError.PathCharacter },
        { "path: charset",               "spiffe://example.org/a\\b",                 SpiffeIdError.PathCharacter },
        { "path: optional",              "spiffe://example.org",                      SpiffeIdError.None },
        { "path: no empty segment",      "spiffe://example.org//api",                 SpiffeIdError.EmptySegment },
        { "path: no empty segment",      "spiffe://example.org/a//b",                 SpiffeIdError.EmptySegment },
        { "path: no dot segment",        "spiffe://example.org/./api",                SpiffeIdError.DotSegment },
        { "path: no dot segment",        "spiffe://example.org/a/..",                 SpiffeIdError.DotSegment },
        { "path: no dot segment",        "spiffe://example.org/a/...",                SpiffeIdError.None },
        { "path: no dot segment",        "spiffe://example.org/.hidden",              SpiffeIdError.None },
        { "path: no trailing slash",     "spiffe://example.org/",                     SpiffeIdError.TrailingSlash },
        { "path: no trailing slash",     "spiffe://example.org/api/",                 SpiffeIdError.TrailingSlash },
        { "no query",                    "spiffe://example.org/api?x=1",              SpiffeIdError.Query },
        { "no query",                    "spiffe://example.org?x",                    SpiffeIdError.Query },
        { "no fragment",                 "spiffe://example.org/api#f",                SpiffeIdError.Fragment },
        { "no fragment",                 "spiffe://example.org#f",                    SpiffeIdError.Fragment },
        { "<= 2048 bytes",               Exactly(2048),                               SpiffeIdError.None },
        { "<= 2048 bytes",               Exactly(2049),                               SpiffeIdError.TooLong },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void TryParse_AppliesRule(string rule, string input, SpiffeIdError expected)
    {
        var ok = SpiffeId.TryParse(input, out var id, out var error);

        Assert.True(expected == error, $"rule '{rule}': expected {expected}, got {error} for {input}");
        Assert.Equal(expected == SpiffeIdError.None, ok);
        if (ok)
            Assert.Equal(input, id!.ToString());
        else
            Assert.Null(id);
    }

    [Fact]
    public void TryParse_Null_IsEmpty()
    {
        Assert.False(SpiffeId.TryParse(null, out _, out var error));
        Assert.Equal(SpiffeIdError.Empty, error);
    }

    [Fact]
    public void Parse_SplitsTrustDomainAndPath()
    {
        var id = SpiffeId.Parse("spiffe://example.org/ns/prod/sa/api");

        Assert.Equal("example.org", id.TrustDomain.Name);
        Assert.Equal("/ns/prod/sa/api", id.Path);
        Assert.False(id.IsTrustDomainId);
        Assert.True(SpiffeId.Parse("spiffe://example.org").IsTrustDomainId);
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatExceptionNamingRule()
    {
        var ex = Assert.Throws<FormatException>(() => SpiffeId.Parse("spiffe://example.org/a/"));
        Assert.Contains(nameof(SpiffeIdError.TrailingSlash), ex.Message);
    }

    [Fact]
    public void Equality_IsOrdinalOnBothParts()
    {
        Assert.Equal(SpiffeId.Parse("spiffe://example.org/api"), SpiffeId.Parse("spiffe://example.org/api"));
        Assert.NotEqual(SpiffeId.Parse("spiffe://example.org/api"), SpiffeId.Parse("spiffe://example.org/API"));
        Assert.NotEqual(SpiffeId.Parse("spiffe://example.org/api"), SpiffeId.Parse("spiffe://example.com/api"));
    }

    [Fact]
    public void FromPath_ValidatesTheResult()
    {
        var td = TrustDomain.Parse("example.org");
        Assert.Equal("spiffe://example.org/api", SpiffeId.FromPath(td, "/api").ToString());
        Assert.Throws<FormatException>(() => SpiffeId.FromPath(td, "/api/"));
        Assert.Equal("spiffe://example.org", td.Id.ToString());
    }

    // A valid ID of exactly n bytes: segments of 100 'a' joined by '/'.
    private static string Exactly(int n)
    {
        var prefix = "spiffe://example.org";
        var path = new System.Text.StringBuilder();
        while (prefix.Length + path.Length < n)
        {
            var remaining = n - prefix.Length - path.Length;
            var segment = Math.Min(100, remaining - 1);
            if (segment < 1) { path.Append('b'); continue; }
            path.Append('/').Append('a', segment);
        }
        return prefix + path;
    }
}
