using System.Security.Cryptography;
using System.Text;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Tests.Users;

public class PasswordHasherTests
{
    private static PasswordHasher Hasher(int iterations = 1000) => new(new AuthenticationOptions { PasswordHashIterations = iterations });

    [Fact]
    public void Hash_ThenVerify_RightPasswordOnly()
    {
        var hash = Hasher().Hash("correct horse battery staple");

        Assert.True(Hasher().Verify("correct horse battery staple", hash));
        Assert.False(Hasher().Verify("correct horse battery stapl", hash));
        Assert.False(Hasher().Verify("", hash));
    }

    [Fact]
    public void Hash_IsSaltedPerCall_AndCarriesItsCost()
    {
        var first = Hasher().Hash("pw-123456");
        var second = Hasher().Hash("pw-123456");

        Assert.NotEqual(first, second);
        Assert.StartsWith("pbkdf2-sha256$1000$", first);
    }

    [Fact]
    public void Hash_IsStandardPbkdf2HmacSha256_OverUtf8()
    {
        // Recomputed independently of the hasher, from the parts of the stored string.
        var hash = Hasher().Hash("pässwörd");
        var parts = hash.Split('$');
        var expected = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes("pässwörd"), Convert.FromBase64String(parts[2]), 1000, HashAlgorithmName.SHA256, 32);

        Assert.Equal(Convert.ToBase64String(expected), parts[3]);
    }

    [Fact]
    public void Verify_UsesTheStoredCost_SoRaisingTheDefaultKeepsOldHashesValid_AndAsksForARehash()
    {
        var old = Hasher(1000).Hash("pw-123456");

        Assert.True(Hasher(2000).Verify("pw-123456", old));
        Assert.True(Hasher(2000).NeedsRehash(old));
        Assert.False(Hasher(1000).NeedsRehash(old));
    }

    [Theory]
    [InlineData("")]
    [InlineData("pw-123456")]
    [InlineData("bcrypt$10$abc$def")]
    [InlineData("pbkdf2-sha256$0$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$1000$not-base64$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$1000$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAA")]
    public void MalformedStoredHash_NeverMatches_AndIsReportedAsSuch(string stored)
    {
        Assert.False(Hasher().Verify("pw-123456", stored));
        Assert.False(PasswordHasher.IsWellFormed(stored));
        Assert.True(Hasher().NeedsRehash(stored));
    }

    [Fact]
    public void DefaultCost_IsOwaspsRecommendation() => Assert.Equal(600_000, new AuthenticationOptions().PasswordHashIterations);
}
