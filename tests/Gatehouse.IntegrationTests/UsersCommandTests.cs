using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.IntegrationTests.Infrastructure;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.IntegrationTests;

/// <summary><c>gatehouse users …</c> as an operator runs it: real processes on a migrated SQLite store, checked through the store.</summary>
public sealed class UsersCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly TestConfiguration _config;

    public UsersCommandTests()
    {
        _config = TestConfiguration.Create(_directory.Path, port: 1);
        // Cheap hashes keep the commands fast; the format and the check are the same.
        _config.Gatehouse["Authentication"] = new System.Text.Json.Nodes.JsonObject { ["PasswordHashIterations"] = 1000 };
        _config.Save();
    }

    public void Dispose() => _directory.Dispose();

    private async Task<CommandResult> RunAsync(string? stdin, params string[] args) =>
        await GatehouseProcess.RunAsync([.. args, "--config", _config.Path], standardInput: stdin);

    private async Task MigrateAndAddAliceAsync()
    {
        var migrate = await RunAsync(null, "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.Description);
        var add = await RunAsync("first-password\n", "users", "add", "alice", "--password-stdin",
            "--claim", "name=Alice Doe", "--claim", "email=alice@example.test", "--role", "doctor", "--role", "surgeon");
        Assert.True(add.ExitCode == 0, add.Description);
        Assert.Contains("Added user alice", add.Stdout);
    }

    /// <summary>The store as the server sees it.</summary>
    private ServiceProvider Store()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(_config.Path).Build();
        return new ServiceCollection().AddLogging().AddGatehouseCore(GatehouseConfiguration.Load(configuration)).BuildServiceProvider();
    }

    private async Task<string> AliceSubjectAsync()
    {
        await using var store = Store();
        return (await store.GetRequiredService<UserStore>().FindByUsernameAsync("alice", CancellationToken.None))!.Subject;
    }

    /// <summary>A ten-minute session of <paramref name="subject"/>, whose cookie hashes to <paramref name="hash"/>.</summary>
    private static Server.Storage.UserSessionRecord Session(string hash, string subject, long now) =>
        new() { Hash = hash, SessionId = "sid-" + hash, Subject = subject, Amr = "pwd", AuthTime = now, ExpiresAt = now + 600 };

    [Fact]
    public async Task UsersAdd_ThenList_ShowsUsernameSubjectRolesAndState()
    {
        await MigrateAndAddAliceAsync();

        var list = await RunAsync(null, "users", "list");

        Assert.True(list.ExitCode == 0, list.Description);
        await using var store = Store();
        var alice = await store.GetRequiredService<UserStore>().FindByUsernameAsync("alice", CancellationToken.None);
        Assert.NotNull(alice);
        var claims = UserClaims.Parse(alice.Claims);
        Assert.Equal("Alice Doe", claims["name"]);
        Assert.Equal(new[] { "doctor", "surgeon" }, (string[])claims["roles"]);
        var row = list.Stdout.Split('\n').Single(l => l.StartsWith("alice ", StringComparison.Ordinal));
        Assert.Equal(["alice", alice.Subject, "doctor,surgeon", "no", "no", "yes"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("TOTP", list.Stdout);
        Assert.Contains("LOCKED", list.Stdout);
    }

    [Fact]
    public async Task UsersAdd_Duplicate_Exits1AndKeepsTheFirst()
    {
        await MigrateAndAddAliceAsync();

        var again = await RunAsync("other-password\n", "users", "add", "ALICE", "--password-stdin");

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);
        Assert.DoesNotContain("Exception", again.Stderr + again.Stdout);
        await using var store = Store();
        Assert.Single(await store.GetRequiredService<UserStore>().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task UsersSetPassword_FromStdin_NewPasswordSignsInOldDoesNot()
    {
        await MigrateAndAddAliceAsync();

        var set = await RunAsync("second-password\n", "users", "set-password", "alice");

        Assert.True(set.ExitCode == 0, set.Description);
        await using var store = Store();
        var alice = await store.GetRequiredService<UserStore>().FindByUsernameAsync("alice", CancellationToken.None);
        var hasher = store.GetRequiredService<PasswordHasher>();
        Assert.True(hasher.Verify("second-password", alice!.PasswordHash));
        Assert.False(hasher.Verify("first-password", alice.PasswordHash));
    }

    [Fact]
    public async Task UsersSetPassword_PasswordAsArgument_IsRefused()
    {
        await MigrateAndAddAliceAsync();
        var set = await GatehouseProcess.RunAsync(["users", "set-password", "alice", "second-password", "--config", _config.Path], standardInput: "");
        Assert.NotEqual(0, set.ExitCode);
        await using var store = Store();
        var alice = await store.GetRequiredService<UserStore>().FindByUsernameAsync("alice", CancellationToken.None);
        Assert.True(store.GetRequiredService<PasswordHasher>().Verify("first-password", alice!.PasswordHash));
    }

    [Theory]
    [InlineData("set-password")]
    [InlineData("disable")]
    [InlineData("enable")]
    public async Task Users_UnknownUser_Exits1WithMessage(string command)
    {
        await MigrateAndAddAliceAsync();
        var result = await RunAsync("some-password\n", "users", command, "nobody");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No user named 'nobody'", result.Stderr);
    }

    [Fact]
    public async Task UsersDisableThenEnable_ChangesTheStoreAndTheList()
    {
        await MigrateAndAddAliceAsync();

        Assert.Equal(0, (await RunAsync(null, "users", "disable", "alice")).ExitCode);
        await using (var store = Store())
            Assert.False((await store.GetRequiredService<UserStore>().FindByUsernameAsync("alice", CancellationToken.None))!.Enabled);
        Assert.EndsWith(" no", (await RunAsync(null, "users", "list")).Stdout.Split('\n').Single(l => l.StartsWith("alice ")).TrimEnd());

        Assert.Equal(0, (await RunAsync(null, "users", "enable", "alice")).ExitCode);
        await using (var store = Store())
            Assert.True((await store.GetRequiredService<UserStore>().FindByUsernameAsync("alice", CancellationToken.None))!.Enabled);
    }

    [Fact]
    public async Task UsersDisable_EndsTheUsersSessions_RevokesTheirRefreshAndOpaqueAccessTokens_NobodyElses()
    {
        await MigrateAndAddAliceAsync();
        var ct = CancellationToken.None;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var alice = await AliceSubjectAsync();
        await using (var store = Store())
        {
            var sessions = store.GetRequiredService<Server.Authentication.SessionStore>();
            var refresh = store.GetRequiredService<Server.Token.RefreshTokenStore>();
            var access = store.GetRequiredService<Server.Storage.AccessTokenStore>();
            foreach (var subject in new[] { alice, "someone-else" })
            {
                await sessions.AddAsync(Session("session-" + subject, subject, now), ct);
                await refresh.AddAsync(new()
                {
                    Hash = "refresh-" + subject, GrantId = "grant-" + subject, ClientId = "web", Subject = subject, SessionId = "sid-" + subject,
                    Scope = "openid", Amr = "pwd", AuthTime = now, IssuedAt = now, ExpiresAt = now + 600,
                }, ct);
                await access.AddAsync(new() { Hash = "access-" + subject, ClientId = "web", Subject = subject, Jwt = "jwt", GrantId = "grant-" + subject, IssuedAt = now, ExpiresAt = now + 600 }, ct);
            }
            // A client-credentials token of a client whose id happens to equal the subject: not the user's.
            await access.AddAsync(new() { Hash = "client-token", ClientId = alice, Subject = alice, Jwt = "jwt", IssuedAt = now, ExpiresAt = now + 600 }, ct);
        }

        var disable = await RunAsync(null, "users", "disable", "alice");

        Assert.True(disable.ExitCode == 0, disable.Description);
        Assert.Contains("sessions ended", disable.Stdout);
        await using (var store = Store())
        {
            var sessions = store.GetRequiredService<Server.Authentication.SessionStore>();
            var refresh = store.GetRequiredService<Server.Token.RefreshTokenStore>();
            var access = store.GetRequiredService<Server.Storage.AccessTokenStore>();
            Assert.Null(await sessions.FindActiveAsync("session-" + alice, now, ct));
            Assert.NotNull(await sessions.FindActiveAsync("session-someone-else", now, ct));
            Assert.NotNull((await refresh.FindAsync("refresh-" + alice, ct))!.RevokedAt);
            Assert.Null((await refresh.FindAsync("refresh-someone-else", ct))!.RevokedAt);
            Assert.NotNull((await access.FindByHashAsync("access-" + alice, ct))!.RevokedAt);
            Assert.Null((await access.FindByHashAsync("access-someone-else", ct))!.RevokedAt);
            Assert.Null((await access.FindByHashAsync("client-token", ct))!.RevokedAt);
        }
    }

    [Fact]
    public async Task UsersResetTotp_RemovesTheAuthenticator_EndsTheSessions_AndSaysSoWhenThereIsNone()
    {
        await MigrateAndAddAliceAsync();
        var ct = CancellationToken.None;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var alice = await AliceSubjectAsync();
        await using (var store = Store())
        {
            await store.GetRequiredService<UserStore>().SetTotpSecretAsync(alice, [1, 2, 3], ct);
            await store.GetRequiredService<Server.Authentication.SessionStore>().AddAsync(Session("session", alice, now), ct);
        }

        var reset = await RunAsync(null, "users", "reset-totp", "alice");

        Assert.True(reset.ExitCode == 0, reset.Description);
        Assert.Contains("TOTP authenticator removed", reset.Stdout);
        await using (var store = Store())
        {
            Assert.Null((await store.GetRequiredService<UserStore>().FindByUsernameAsync("alice", ct))!.ProtectedTotpSecret);
            Assert.Null(await store.GetRequiredService<Server.Authentication.SessionStore>().FindActiveAsync("session", now, ct));
        }
        var again = await RunAsync(null, "users", "reset-totp", "alice");
        Assert.True(again.ExitCode == 0, again.Description);
        Assert.Contains("has no TOTP authenticator", again.Stdout);
        Assert.Equal(1, (await RunAsync(null, "users", "reset-totp", "nobody")).ExitCode);
    }

    [Fact]
    public async Task UsersAdd_ShortPassword_Exits1()
    {
        Assert.Equal(0, (await RunAsync(null, "migrate")).ExitCode);
        var result = await RunAsync("short\n", "users", "add", "bob", "--password-stdin");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("at least 8 characters", result.Stderr);
    }

    [Fact]
    public async Task UsersHashPassword_PrintsPbkdf2HashThatVerifiesIndependently()
    {
        var result = await GatehouseProcess.RunAsync(["users", "hash-password"], standardInput: "correct horse battery\n");

        Assert.True(result.ExitCode == 0, result.Description);
        var parts = result.Stdout.Trim().Split('$');
        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.Equal(600_000, int.Parse(parts[1], CultureInfo.InvariantCulture)); // OWASP's recommendation, the default
        var salt = Convert.FromBase64String(parts[2]);
        Assert.Equal(16, salt.Length);
        var expected = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes("correct horse battery"), salt, 600_000, HashAlgorithmName.SHA256, 32);
        Assert.Equal(Convert.ToBase64String(expected), parts[3]);
        Assert.DoesNotContain("correct horse", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task UsersHashPassword_ForSeededUser_SignsInWithIt()
    {
        var hash = (await RunAsync("seeded-password\n", "users", "hash-password")).Stdout.Trim();
        Assert.StartsWith("pbkdf2-sha256$1000$", hash); // the configuration's iterations
        _config.Gatehouse["Users"] = new System.Text.Json.Nodes.JsonObject
        {
            ["carol"] = new System.Text.Json.Nodes.JsonObject { ["PasswordHash"] = hash },
        };
        _config.Save();
        Assert.Equal(0, (await RunAsync(null, "migrate")).ExitCode);

        await using var store = Store();
        await store.GetRequiredService<UserSeeder>().SeedAsync(CancellationToken.None);
        var carol = await store.GetRequiredService<UserStore>().FindByUsernameAsync("carol", CancellationToken.None);
        Assert.True(store.GetRequiredService<PasswordHasher>().Verify("seeded-password", carol!.PasswordHash));
    }
}
