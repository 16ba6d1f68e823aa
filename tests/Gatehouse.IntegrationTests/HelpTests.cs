using Gatehouse.IntegrationTests.Infrastructure;

namespace Gatehouse.IntegrationTests;

/// <summary><c>--help</c> of the root and of every command exits 0 and names the command's options.</summary>
public class HelpTests
{
    [Theory]
    [InlineData("", new[] { "up", "serve", "migrate", "keys", "clients", "users", "--help", "--version" })]
    [InlineData("up", new[] { "--data", "--port", "--gateway-port", "--api-port", "--portal-port", "--trust-domain" })]
    [InlineData("serve", new[] { "--config", "--roles", "--urls", "--migrate" })]
    [InlineData("migrate", new[] { "--config" })]
    [InlineData("keys", new[] { "list", "rotate" })]
    [InlineData("keys list", new[] { "--config" })]
    [InlineData("keys rotate", new[] { "--config", "--immediately" })]
    [InlineData("clients", new[] { "secret" })]
    [InlineData("clients secret", new[] { "--help" })]
    [InlineData("users", new[] { "add", "list", "set-password", "hash-password", "disable", "enable" })]
    [InlineData("users add", new[] { "--config", "<username>", "--password-stdin", "--password-file", "--claim", "--role", "--subject" })]
    [InlineData("users list", new[] { "--config" })]
    [InlineData("users set-password", new[] { "--config", "<username>", "--password-file" })]
    [InlineData("users hash-password", new[] { "--config" })]
    [InlineData("users disable", new[] { "--config", "<username>" })]
    [InlineData("users enable", new[] { "--config", "<username>" })]
    public async Task Help_ForCommand_Exits0AndNamesItsOptions(string command, string[] expected)
    {
        var args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("--help").ToArray();

        var result = await GatehouseProcess.RunAsync(args);

        Assert.True(result.ExitCode == 0, result.Description);
        Assert.Contains("Usage:", result.Stdout);
        Assert.Contains(("gatehouse " + command).Trim(), result.Stdout);
        foreach (var name in expected)
            Assert.True(result.Stdout.Contains(name, StringComparison.Ordinal), $"'{name}' missing from the help of '{command}': {result.Description}");
        Assert.Equal("", result.Stderr.Trim());
    }

    [Fact]
    public async Task Help_UnknownCommand_ExitsNonZeroAndSaysSo()
    {
        var result = await GatehouseProcess.RunAsync(["serv"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("serv", result.Stderr);
    }
}
