using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Protocol.Tests.Spiffe;

/// <summary>SPIFFE-ID.md §2.1 and §2.3 for bare trust domain names.</summary>
public class TrustDomainTests
{
    public static TheoryData<string, string, SpiffeIdError> Rows => new()
    {
        { "charset",        "example.org",          SpiffeIdError.None },
        { "charset",        "a_b-c.0",              SpiffeIdError.None },
        { "charset",        "Example.org",          SpiffeIdError.TrustDomainCharacter },
        { "charset",        "example.org/api",      SpiffeIdError.TrustDomainCharacter },
        { "non-empty",      "",                     SpiffeIdError.MissingTrustDomain },
        { "<= 255 bytes",   new string('x', 255),   SpiffeIdError.None },
        { "<= 255 bytes",   new string('x', 256),   SpiffeIdError.TrustDomainTooLong },
        { "no port",        "example.org:1",        SpiffeIdError.Port },
        { "no userinfo",    "u@example.org",        SpiffeIdError.UserInfo },
        { "no percent",     "ex%41mple.org",        SpiffeIdError.PercentEncoding },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void TryParse_AppliesRule(string rule, string input, SpiffeIdError expected)
    {
        var ok = TrustDomain.TryParse(input, out var td, out var error);

        Assert.True(expected == error, $"rule '{rule}': expected {expected}, got {error} for {input}");
        Assert.Equal(expected == SpiffeIdError.None, ok);
        if (ok)
            Assert.Equal(input, td!.Name);
    }

    [Fact]
    public void Equality_IsOrdinal()
    {
        Assert.Equal(TrustDomain.Parse("example.org"), TrustDomain.Parse("example.org"));
        Assert.True(TrustDomain.Parse("example.org") != TrustDomain.Parse("example.com"));
    }
}
