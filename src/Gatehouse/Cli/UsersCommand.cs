using System.CommandLine;
using System.Text;
using Gatehouse.Server.Authentication;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Token;
using Gatehouse.Server.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Cli;

/// <summary>
/// <c>gatehouse users</c>: manage the people who sign in, directly in the store. Passwords are read from standard
/// input or a file, never from the command line, where other users of the machine and the shell history would see them.
/// </summary>
internal static class UsersCommand
{
    private const int Failed = 1;
    private const int MinimumPasswordLength = 8;

    public static Command Create()
    {
        var command = new Command("users", "Add, list and manage users who sign in.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(SetPassword());
        command.Subcommands.Add(HashPassword());
        command.Subcommands.Add(SetEnabled("disable", enabled: false, "Disable a user: sign-in, token grants and userinfo refuse them until enabled again; their sessions end and their refresh and opaque access tokens are revoked."));
        command.Subcommands.Add(SetEnabled("enable", enabled: true, "Enable a disabled user again."));
        command.Subcommands.Add(ResetTotp());
        return command;
    }

    private static Argument<string> Username() => new("username") { Description = "The username (compared case-insensitively)." };

    private static Option<bool> PasswordStdin() => new("--password-stdin")
    {
        Description = "Read the password from the first line of standard input (e.g. echo \"$PW\" | gatehouse users add ...).",
    };

    private static Option<FileInfo> PasswordFile() => new("--password-file")
    {
        Description = "Read the password from this file (its first line).",
    };

    private static Command Add()
    {
        var config = CliOptions.Config();
        var username = Username();
        var passwordStdin = PasswordStdin();
        var passwordFile = PasswordFile();
        var claim = new Option<string[]>("--claim") { Description = "An attribute as name=value (name, email, department, ...); repeating a name makes an array." };
        var role = new Option<string[]>("--role") { Description = "A role for the roles claim; repeat for several." };
        var subject = new Option<string?>("--subject") { Description = "The stable subject identifier (sub); generated when omitted." };
        var command = new Command("add", "Add a user. The password comes from --password-stdin or --password-file (at least 8 characters).")
        {
            config, username, passwordStdin, passwordFile, claim, role, subject,
        };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            var password = await ReadPasswordAsync(parse.GetValue(passwordStdin), parse.GetValue(passwordFile), ct);
            if (password is null)
                return Failed;
            if (!TryParseClaims(parse.GetValue(claim) ?? [], out var pairs))
                return Failed;
            var claims = UserClaims.FromPairs(pairs);
            if (parse.GetValue(role) is { Length: > 0 } roles)
                claims[UserClaims.Roles] = roles;
            var name = parse.GetValue(username)!;
            if (string.IsNullOrWhiteSpace(name) || name.Length > 200 || name.Any(char.IsControl))
                return Fail("A username must be 1 to 200 characters without control characters.");

            await using var services = CoreServices.Build(parse.GetValue(config)!.FullName);
            var hash = services.GetRequiredService<PasswordHasher>().Hash(password);
            var user = UserSeeder.NewUser(name, parse.GetValue(subject), hash, claims, services.GetRequiredService<TimeProvider>());
            if (!await services.GetRequiredService<UserStore>().TryAddAsync(user, ct))
                return Fail(parse.GetValue(subject) is null
                    ? $"A user named '{user.Username}' already exists."
                    : $"A user named '{user.Username}' or with subject '{user.Subject}' already exists.");
            Console.WriteLine($"Added user {user.Username} with subject {user.Subject}.");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var config = CliOptions.Config();
        var command = new Command("list", "List users: username, subject, roles, whether TOTP is enrolled, locked or disabled.") { config };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            await using var services = CoreServices.Build(parse.GetValue(config)!.FullName);
            var users = await services.GetRequiredService<UserStore>().ListAsync(ct);
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
            Print(users, now);
            return 0;
        }));
        return command;
    }

    private static Command SetPassword()
    {
        var config = CliOptions.Config();
        var username = Username();
        var passwordFile = PasswordFile();
        var command = new Command("set-password", "Set a user's password, read from standard input (or --password-file); also lifts a lockout.")
        {
            config, username, passwordFile,
        };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            var file = parse.GetValue(passwordFile);
            var password = await ReadPasswordAsync(fromStdin: file is null, file, ct);
            if (password is null)
                return Failed;
            await using var services = CoreServices.Build(parse.GetValue(config)!.FullName);
            if (await FindAsync(services, parse.GetValue(username)!, ct) is not { } user)
                return Failed;
            var hash = services.GetRequiredService<PasswordHasher>().Hash(password);
            await services.GetRequiredService<UserStore>().SetPasswordHashAsync(user.Subject, hash, ct);
            Console.WriteLine($"Password of {user.Username} changed.");
            return 0;
        }));
        return command;
    }

    private static Command HashPassword()
    {
        var config = CliOptions.Config();
        config.Required = false;
        config.Description = "Configuration whose Authentication:PasswordHashIterations to use (600000 by default).";
        var command = new Command("hash-password", "Read a password from standard input and print its hash for Gatehouse:Users:<username>:PasswordHash.") { config };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            var password = await ReadPasswordAsync(fromStdin: true, file: null, ct);
            if (password is null)
                return Failed;
            var options = parse.GetValue(config) is { } file
                ? GatehouseConfiguration.Load(ConfigurationLoader.Build(file.FullName, new Dictionary<string, string?>())).Authentication
                : new AuthenticationOptions();
            Console.WriteLine(new PasswordHasher(options).Hash(password));
            return 0;
        }));
        return command;
    }

    /// <summary>For a lost authenticator: the user signs in with the password alone and can enrol a new one.</summary>
    private static Command ResetTotp()
    {
        var config = CliOptions.Config();
        var username = Username();
        var command = new Command("reset-totp",
            "Remove a user's TOTP authenticator (lost or replaced device) and end their sessions; they can enrol a new one after signing in.")
        {
            config, username,
        };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            await using var services = CoreServices.Build(parse.GetValue(config)!.FullName);
            if (await FindAsync(services, parse.GetValue(username)!, ct) is not { } user)
                return Failed;
            if (user.ProtectedTotpSecret is null)
            {
                Console.WriteLine($"User {user.Username} has no TOTP authenticator; nothing changed.");
                return 0;
            }
            await services.GetRequiredService<UserStore>().SetTotpSecretAsync(user.Subject, null, ct);
            await services.GetRequiredService<SessionStore>().EndSubjectAsync(user.Subject, services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds(), ct);
            Console.WriteLine($"User {user.Username}: TOTP authenticator removed and sessions ended.");
            return 0;
        }));
        return command;
    }

    private static Command SetEnabled(string name, bool enabled, string description)
    {
        var config = CliOptions.Config();
        var username = Username();
        var command = new Command(name, description) { config, username };
        command.SetAction((parse, ct) => CommandFailures.RunAsync(async () =>
        {
            await using var services = CoreServices.Build(parse.GetValue(config)!.FullName);
            if (await FindAsync(services, parse.GetValue(username)!, ct) is not { } user)
                return Failed;
            await services.GetRequiredService<UserStore>().SetEnabledAsync(user.Subject, enabled, ct);
            if (!enabled)
                await services.GetRequiredService<GrantRevoker>().RevokeUserAsync(user.Subject, ct);
            Console.WriteLine(enabled ? $"User {user.Username} enabled."
                : $"User {user.Username} disabled: their sessions ended, their refresh tokens and opaque access tokens were revoked (JWT access tokens stay valid until they expire).");
            return 0;
        }));
        return command;
    }

    private static async Task<UserRecord?> FindAsync(IServiceProvider services, string username, CancellationToken ct)
    {
        var user = await services.GetRequiredService<UserStore>().FindByUsernameAsync(username, ct);
        if (user is null)
            Fail($"No user named '{username}'. See 'gatehouse users list'.");
        return user;
    }

    /// <summary>The password from exactly one source, checked for length; null (after saying why) otherwise.</summary>
    private static async Task<string?> ReadPasswordAsync(bool fromStdin, FileInfo? file, CancellationToken ct)
    {
        if (fromStdin == (file is not null))
        {
            Fail("Give the password with exactly one of --password-stdin or --password-file.");
            return null;
        }
        string? password;
        if (file is not null)
        {
            if (!file.Exists)
            {
                Fail($"Password file not found: {file.FullName}.");
                return null;
            }
            using var reader = file.OpenText();
            password = await reader.ReadLineAsync(ct);
        }
        else
        {
            password = Console.IsInputRedirected ? await Console.In.ReadLineAsync(ct) : ReadHidden();
        }
        if (password is null || password.Length < MinimumPasswordLength)
        {
            Fail($"The password must be at least {MinimumPasswordLength} characters.");
            return null;
        }
        return password;
    }

    /// <summary>Reads a line from the terminal without echoing it.</summary>
    private static string ReadHidden()
    {
        Console.Error.Write("Password: ");
        var password = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace && password.Length > 0)
                password.Length--;
            else if (!char.IsControl(key.KeyChar))
                password.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return password.ToString();
    }

    private static bool TryParseClaims(string[] values, out List<KeyValuePair<string, string>> pairs)
    {
        pairs = [];
        foreach (var value in values)
        {
            var separator = value.IndexOf('=');
            var name = separator > 0 ? value[..separator] : "";
            var problem = name.Length == 0 ? $"--claim '{value}' is not name=value."
                : name == UserClaims.Roles ? "--claim roles: use --role for each role."
                : ReservedClaims.Contains(name) ? $"--claim {name}: this claim is set by the token service itself."
                : null;
            if (problem is not null)
            {
                Fail(problem);
                return false;
            }
            pairs.Add(new(name, value[(separator + 1)..]));
        }
        return true;
    }

    private static void Print(IReadOnlyList<UserRecord> users, long now)
    {
        Console.WriteLine($"{"USERNAME",-24} {"SUBJECT",-24} {"ROLES",-24} {"TOTP",-5} {"LOCKED",-7} {"ENABLED",-7}");
        foreach (var user in users)
        {
            var roles = UserClaims.Parse(user.Claims).GetValueOrDefault(UserClaims.Roles) switch
            {
                string[] many => string.Join(',', many),
                string one => one,
                _ => "",
            };
            var locked = user.LockedUntil > now;
            Console.WriteLine($"{user.Username,-24} {user.Subject,-24} {roles,-24} {YesNo(user.ProtectedTotpSecret is not null),-5} {YesNo(locked),-7} {YesNo(user.Enabled),-7}");
        }
        if (users.Count == 0)
            Console.WriteLine("(no users yet: add one with 'gatehouse users add' or under Gatehouse:Users)");
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return Failed;
    }
}
