using Gatehouse.Protocol.Pkce;

namespace Gatehouse.Protocol.Tests;

public class CodeVerifierTests
{
    // RFC 7636 Appendix B.
    private const string AppendixBVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private const string AppendixBChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    [Fact]
    public void Matches_Rfc7636AppendixB_IsTrue() => Assert.True(CodeVerifier.Matches(AppendixBVerifier, AppendixBChallenge));

    [Fact]
    public void Matches_OtherVerifier_IsFalse() => Assert.False(CodeVerifier.Matches(AppendixBVerifier.Replace('d', 'e'), AppendixBChallenge));

    [Fact]
    public void Matches_PlainMethod_IsFalse() => Assert.False(CodeVerifier.Matches(AppendixBVerifier, AppendixBVerifier));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX")] // 42 characters
    [InlineData("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX+")] // '+' is not unreserved
    public void IsWellFormed_OutsideRfc7636Section41_IsFalse(string? verifier) => Assert.False(CodeVerifier.IsWellFormed(verifier));

    [Fact]
    public void IsWellFormed_128Unreserved_IsTrue_129_IsFalse()
    {
        Assert.True(CodeVerifier.IsWellFormed(new string('~', 128)));
        Assert.False(CodeVerifier.IsWellFormed(new string('~', 129)));
    }
}
