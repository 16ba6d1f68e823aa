using System.Diagnostics;
using System.Text.Json.Nodes;
using Gatehouse.IntegrationTests.Infrastructure;

namespace Gatehouse.IntegrationTests.Bench;

/// <summary>
/// The load driver of <c>bench/auth-run</c> against a real server in its check mode (<c>--once</c>: one login, one refresh,
/// one client_credentials grant, every response checked), so that a change to the sign-in flow that would break the
/// benchmark shows up here. No load and no timing.
/// </summary>
public class AuthBenchDriverTests
{
    private const string RedirectUri = "http://127.0.0.1/bench/callback";
    private const string Password = "bench-password-1";

    [Fact]
    public async Task DriverOnce_SignsInRefreshesAndGetsAClientToken_AndFailsOnAWrongPassword()
    {
        using var directory = new TempDirectory();
        var config = TestConfiguration.Create(directory.Path, FreePort.Next());
        config.Gatehouse["Authentication"] = new JsonObject { ["PasswordHashIterations"] = 1000 };
        config.Gatehouse["Scopes"]!["openid"] = new JsonObject { ["Description"] = "Sign you in" };
        config.Gatehouse["Scopes"]!["api"] = new JsonObject { ["Description"] = "Benchmark API" };
        config.Gatehouse["Clients"]!["bench-web"] = new JsonObject
        {
            ["Secret"] = "bench-web-secret-bench-web-secret-bench-web",
            ["GrantTypes"] = new JsonArray("authorization_code", "refresh_token"),
            ["Scopes"] = new JsonArray("openid", "api"),
            ["Audience"] = TestConfiguration.ApiAudience,
            ["RequireConsent"] = false,
            ["RedirectUris"] = new JsonArray(RedirectUri),
        };
        config.Gatehouse["Users"] = new JsonObject { ["bench-user-0"] = new JsonObject { ["Password"] = Password } };
        await using var server = await GatehouseServer.StartAsync(port =>
            new(["serve", "--config", config.MoveTo(port), "--migrate", "--urls", config.Issuer]), timeout: TimeSpan.FromMinutes(3));

        var wrongPassword = await RunDriverAsync(config, "not-the-password");
        var right = await RunDriverAsync(config, Password);

        Assert.True(wrongPassword.ExitCode == 1, wrongPassword.Output);
        // The login page answers the wrong password itself instead of redirecting back to /authorize.
        Assert.Contains("answered 200, expected a redirect", wrongPassword.Output);
        Assert.True(right.ExitCode == 0, right.Output);
        Assert.Contains("ok: login, refresh and client_credentials checked", right.Output);
    }

    private static async Task<(int ExitCode, string Output)> RunDriverAsync(TestConfiguration config, string password)
    {
        // <repo>/tests/Gatehouse.IntegrationTests/bin/<Configuration>/<tfm>/ → the driver built in the same configuration.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(GatehouseBinary.RepositoryRoot, "bench", "Gatehouse.Bench.Auth", "bin", output.Parent!.Name, output.Name, "gatehouse-bench-auth.dll");
        var info = new ProcessStartInfo(GatehouseBinary.DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            dll, "--once", "--issuer", config.Issuer, "--client-id", "bench-web", "--client-secret", "bench-web-secret-bench-web-secret-bench-web",
            "--redirect-uri", RedirectUri, "--service-client-id", "service", "--service-client-secret", config.SecretOf("service"),
            "--users", "1", "--user-prefix", "bench-user-", "--password", password, "--concurrency", "1",
        })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("gatehouse-bench-auth --once did not finish in 2 minutes.");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
