using Gatehouse.Protocol.Scopes;

namespace Gatehouse.Protocol.Tests;

public class ScopeSetTests
{
    [Theory]
    [InlineData("a b  c", new[] { "a", "b", "c" })]
    [InlineData("a a", new[] { "a" })]
    [InlineData("", new string[0])]
    public void TryParse_SplitsOnSpaces(string value, string[] expected)
    {
        Assert.True(ScopeSet.TryParse(value, out var scopes));
        Assert.Equal(expected, scopes);
    }

    [Theory]
    [InlineData("a\"b")]
    [InlineData("a\\b")]
    [InlineData("é")]
    [InlineData("a\tb")]
    public void TryParse_RejectsCharactersOutsideScopeToken(string value) => Assert.False(ScopeSet.TryParse(value, out _));
}
