using System.Text.Json.Nodes;
using Gatehouse.IntegrationTests.Infrastructure;

namespace Gatehouse.IntegrationTests;

/// <summary>
/// A configuration mistake stops the real process before it listens: exit code 2, and stderr names the key,
/// the value found and a fix, in the form <c>Gatehouse:Key = 'value': problem Fix: ...</c>. A store that was never
/// migrated stops it with exit code 3 and points to <c>gatehouse migrate</c>.
/// </summary>
public class ConfigurationErrorTests
{
    /// <param name="Change">Edits the otherwise valid configuration.</param>
    /// <param name="Expected">Texts stderr must contain (the key with its value, the problem).</param>
    /// <param name="RawFile">Written verbatim instead of the configuration, under <paramref name="FileName"/>.</param>
    /// <param name="ExtraArgs">Additional command-line arguments.</param>
    /// <param name="MustNotContain">Texts stderr must not contain (secrets).</param>
    public sealed record Case(
        Action<TestConfiguration>? Change,
        string[] Expected,
        string? RawFile = null,
        string FileName = "gatehouse.json",
        bool NoFile = false,
        string[]? ExtraArgs = null,
        Func<TestConfiguration, string[]>? MustNotContain = null);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["MissingIssuer"] = new(c => c.Gatehouse.Remove("Issuer"),
            ["Gatehouse:Issuer = (not set)", "The issuer is required."]),
        ["HttpIssuerOnPublicHost"] = new(c => c.Gatehouse["Issuer"] = "http://login.example.com",
            ["Gatehouse:Issuer = 'http://login.example.com'", "https"]),
        ["UnknownRole"] = new(c => c.Gatehouse["Roles"] = "token,bogus",
            ["Gatehouse:Roles = 'token,bogus'", "'bogus' is not a service role"]),
        ["UnknownRoleOnCommandLine"] = new(null,
            ["Gatehouse:Roles = 'tokens'", "'tokens' is not a service role"], ExtraArgs: ["--roles", "tokens"]),
        ["UnsupportedAlgorithm"] = new(c => c.Keys["Algorithm"] = "HS256",
            ["Gatehouse:Keys:Algorithm = 'HS256'", "Unsupported signing algorithm"]),
        ["ShortClientSecret"] = new(c => c.Client("service")["Secret"] = "too-short-secret",
            ["Gatehouse:Clients:service:Secret = '(hidden)'", "at least 32 characters"],
            MustNotContain: _ => ["too-short-secret"]),
        ["BadEncryptionKey"] = new(c => c.Keys["EncryptionKey"] = Convert.ToBase64String(new byte[16]),
            ["Gatehouse:Keys:EncryptionKey = '(hidden)'", "32 bytes"],
            MustNotContain: _ => [Convert.ToBase64String(new byte[16])]),
        ["ClientWithUndefinedScope"] = new(c => c.Client("service")["Scopes"]!.AsArray().Add("billing"),
            ["Gatehouse:Clients:service:Scopes:2 = 'billing'", "This scope is not defined."]),
        ["PublishAheadShorterThanCheckIntervalPlusJwksMaxAge"] = new(c =>
            {
                c.Keys["CheckInterval"] = "00:01:00";
                c.Keys["JwksMaxAge"] = "00:05:00";
                c.Keys["PublishAhead"] = "00:05:00";
            },
            ["Gatehouse:Keys:PublishAhead = '00:05:00'", "Keys:CheckInterval + Keys:JwksMaxAge"]),
        ["MisspelledSettingName"] = new(c => c.Keys["RotationPeriode"] = "30.00:00:00",
            ["'RotationPeriode'", "Unknown setting"]),
        ["InvalidTimeSpan"] = new(c => c.Keys["RotationPeriod"] = "thirty days",
            ["Gatehouse:Keys:RotationPeriod = 'thirty days'", "wrong format"]),
        ["MissingConfigFile"] = new(null,
            ["does-not-exist.json"], FileName: "does-not-exist.json", NoFile: true),
        ["InvalidJson"] = new(null,
            ["not valid JSON", "gatehouse.json"], RawFile: "{ \"Gatehouse\": { \"Issuer\": \"http://127.0.0.1:1\", } "),
        ["InvalidJsonInFileWithoutJsonExtension"] = new(null,
            ["not valid JSON", "gatehouse.conf"], RawFile: "{ \"Gatehouse\": {", FileName: "gatehouse.conf"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Serve_InvalidConfiguration_Exits2NamingKeyValueAndFix_AndDoesNotListen(string caseName)
    {
        var @case = Cases[caseName];
        using var directory = new TempDirectory();
        var port = FreePort.Next();
        var config = TestConfiguration.Create(directory.Path, port, fileName: @case.FileName);
        @case.Change?.Invoke(config);
        if (@case.RawFile is not null)
            File.WriteAllText(config.Path, @case.RawFile);
        else if (!@case.NoFile)
            config.Save();

        var result = await GatehouseProcess.RunAsync(
            ["serve", "--config", config.Path, "--urls", config.Issuer, .. @case.ExtraArgs ?? []], workingDirectory: directory.Path);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}, expected 2: {result.Description}");
        foreach (var expected in @case.Expected)
            Assert.True(result.Stderr.Contains(expected, StringComparison.Ordinal), $"stderr lacks \"{expected}\": {result.Description}");
        Assert.True(result.Stderr.Contains("Fix:", StringComparison.Ordinal), $"stderr lacks \"Fix:\": {result.Description}");
        foreach (var secret in @case.MustNotContain?.Invoke(config) ?? [])
            Assert.False(result.Stderr.Contains(secret, StringComparison.Ordinal) || result.Stdout.Contains(secret, StringComparison.Ordinal),
                $"a secret value was printed: {result.Description}");
        AssertStoppedCleanly(result, port);
    }

    [Fact]
    public async Task Serve_SeveralMistakes_ReportsEachOnItsOwnLine()
    {
        using var directory = new TempDirectory();
        var port = FreePort.Next();
        var config = TestConfiguration.Create(directory.Path, port);
        config.Gatehouse["Issuer"] = "http://login.example.com";
        config.Keys["Algorithm"] = "HS256";
        config.Client("service")["Scopes"]!.AsArray().Add("billing");
        config.Save();

        var result = await GatehouseProcess.RunAsync(["serve", "--config", config.Path, "--urls", config.Issuer]);

        Assert.True(result.ExitCode == 2, result.Description);
        var problemLines = result.Stderr.Split('\n').Where(l => l.TrimStart().StartsWith("- Gatehouse:", StringComparison.Ordinal)).ToList();
        Assert.True(problemLines.Count == 3, result.Description);
        Assert.All(problemLines, l => Assert.Contains("Fix:", l));
        AssertStoppedCleanly(result, port);
    }

    [Fact]
    public async Task Serve_StoreNeverMigrated_Exits3AndPointsToMigrate()
    {
        using var directory = new TempDirectory();
        var port = FreePort.Next();
        var config = TestConfiguration.Create(directory.Path, port);
        config.Save();

        var result = await GatehouseProcess.RunAsync(["serve", "--config", config.Path, "--urls", config.Issuer]);

        Assert.True(result.ExitCode == 3, $"exit code {result.ExitCode}, expected 3: {result.Description}");
        Assert.Contains("gatehouse migrate", result.Stderr);
        Assert.Contains("--migrate", result.Stderr);
        AssertStoppedCleanly(result, port);
    }

    [Fact]
    public async Task Migrate_InvalidConfiguration_Exits2WithoutCreatingTheStore()
    {
        using var directory = new TempDirectory();
        var config = TestConfiguration.Create(directory.Path, FreePort.Next());
        config.Keys["Algorithm"] = "HS256";
        config.Save();

        var result = await GatehouseProcess.RunAsync(["migrate", "--config", config.Path]);

        Assert.True(result.ExitCode == 2, result.Description);
        Assert.Contains("Gatehouse:Keys:Algorithm = 'HS256'", result.Stderr);
        Assert.False(File.Exists(config.DatabasePath), "migrate created a store from an invalid configuration");
    }

    private static void AssertStoppedCleanly(CommandResult result, int port)
    {
        Assert.DoesNotContain("Unhandled exception", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr); // no stack trace
        Assert.DoesNotContain("listening on", result.Stdout);
        Assert.False(FreePort.IsListening(port), $"something listens on {port}");
    }
}
