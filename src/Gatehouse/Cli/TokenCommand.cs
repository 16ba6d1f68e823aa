using System.CommandLine;
using Gatehouse.Testing;

namespace Gatehouse.Cli;

/// <summary>
/// <c>gatehouse token</c>: hand-made access tokens for manual API testing, signed by a local key file, plus the JWKS
/// for that key (printed or served on loopback) so an API can verify them. Not for production.
/// </summary>
internal static class TokenCommand
{
    private const string DefaultKeyFile = "gatehouse-dev-key.pem";
    private const int DefaultPort = 5000;

    public static Command Create()
    {
        var command = new Command("token", "Mint access tokens for manual testing, signed by a local key file (development only).");
        command.Subcommands.Add(Mint());
        command.Subcommands.Add(Jwks());
        command.Subcommands.Add(Serve());
        return command;
    }

    private static Option<FileInfo> KeyOption() => new("--key", "-k")
    {
        Description = "PKCS#8 PEM signing key (EC P-256 → ES256, RSA → RS256). Created as an ES256 key if the file does not exist.",
        DefaultValueFactory = _ => new FileInfo(DefaultKeyFile),
    };

    private static Command Mint()
    {
        var key = KeyOption();
        var issuer = new Option<string>("--issuer") { Description = "The iss claim; must match the API's GatehouseApi:Issuer/Authority.", DefaultValueFactory = _ => $"http://127.0.0.1:{DefaultPort}" };
        var audience = new Option<string>("--audience", "-a") { Description = "The aud claim; must match the API's GatehouseApi:Audience.", DefaultValueFactory = _ => "api" };
        var subject = new Option<string>("--subject", "-s") { Description = "The sub claim (the user).", DefaultValueFactory = _ => "test-user" };
        var clientId = new Option<string>("--client-id") { Description = "The client_id claim (the app).", DefaultValueFactory = _ => "gatehouse-cli" };
        var scope = new Option<string[]>("--scope") { Description = "Scope to grant; repeat or space-separate for several.", AllowMultipleArgumentsPerToken = false };
        var role = new Option<string[]>("--role") { Description = "Role for the roles claim; repeat for several." };
        var claim = new Option<string[]>("--claim") { Description = "Any claim as name=value; repeating a name makes a JSON array (--claim hospitals=a --claim hospitals=b)." };
        var lifetime = new Option<int>("--lifetime") { Description = "Seconds until exp.", DefaultValueFactory = _ => 300 };
        var broken = new Option<string?>("--broken")
        {
            Description = "Mint a deliberately broken token: expired, not-yet-valid, tampered-signature, tampered-payload, alg-none, hs256-public-key, unknown-key, wrong-type.",
        };
        broken.AcceptOnlyFromAmong("expired", "not-yet-valid", "tampered-signature", "tampered-payload", "alg-none", "hs256-public-key", "unknown-key", "wrong-type");

        var command = new Command("mint", "Print an RFC 9068 access token (typ at+jwt) with the given claims, signed by the key file.")
        {
            key, issuer, audience, subject, clientId, scope, role, claim, lifetime, broken,
        };
        command.SetAction(parse =>
        {
            var signingKey = LoadKey(parse.GetValue(key)!);
            if (parse.GetValue(lifetime) <= 0)
            {
                Console.Error.WriteLine("--lifetime must be a positive number of seconds.");
                return 2;
            }
            var builder = new TokenBuilder(parse.GetValue(issuer)!, parse.GetValue(audience)!, signingKey)
                .Subject(parse.GetValue(subject)!)
                .ClientId(parse.GetValue(clientId)!)
                .Lifetime(TimeSpan.FromSeconds(parse.GetValue(lifetime)));
            var scopes = (parse.GetValue(scope) ?? []).SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
            if (scopes.Length > 0)
                builder.Scope(scopes);
            if (parse.GetValue(role) is { Length: > 0 } roles)
                builder.Role(roles);
            foreach (var group in (parse.GetValue(claim) ?? []).Select(ParseClaim).GroupBy(c => c.Name, StringComparer.Ordinal))
            {
                if (group.Key.Length == 0)
                {
                    Console.Error.WriteLine("--claim needs the form name=value.");
                    return 2;
                }
                var values = group.Select(c => c.Value).ToArray();
                if (values.Length == 1)
                    builder.Claim(group.Key, values[0]);
                else
                    builder.Claim(group.Key, values);
            }
            Break(builder, parse.GetValue(broken));
            Console.WriteLine(builder.Build());
            return 0;
        });
        return command;
    }

    private static Command Jwks()
    {
        var key = KeyOption();
        var command = new Command("jwks", "Print the JWKS (public key only) for the key file.") { key };
        command.SetAction(parse => Console.WriteLine(MockSigningKey.JwksJson([LoadKey(parse.GetValue(key)!)])));
        return command;
    }

    private static Command Serve()
    {
        var key = KeyOption();
        var port = new Option<int>("--port", "-p") { Description = "Port on 127.0.0.1 for /jwks and discovery metadata.", DefaultValueFactory = _ => DefaultPort };
        var command = new Command("serve", "Serve the key file's JWKS at http://127.0.0.1:<port>/jwks until Ctrl+C, so an API can verify minted tokens.") { key, port };
        command.SetAction(async (parse, ct) =>
        {
            var signingKey = LoadKey(parse.GetValue(key)!);
            await using var server = await MockAuthorizationServer.StartAsync(new MockAuthorizationServerOptions { SigningKey = signingKey, Port = parse.GetValue(port) }, ct);
            Console.WriteLine($"Issuer {server.Issuer}, JWKS {server.JwksUri} (kid {signingKey.Kid}). Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            return 0;
        });
        return command;
    }

    private static MockSigningKey LoadKey(FileInfo file)
    {
        var key = SigningKeyFile.LoadOrCreate(file.FullName, out var created);
        if (created)
            Console.Error.WriteLine($"Created signing key {file.FullName} (ES256, kid {key.Kid}).");
        return key;
    }

    private static (string Name, string Value) ParseClaim(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq <= 0 ? ("", "") : (text[..eq], text[(eq + 1)..]);
    }

    private static void Break(TokenBuilder builder, string? kind)
    {
        switch (kind)
        {
            case "expired": builder.Expired(); break;
            case "not-yet-valid": builder.NotYetValid(); break;
            case "tampered-signature": builder.TamperedSignature(); break;
            case "tampered-payload": builder.TamperedPayload(); break;
            case "alg-none": builder.AlgNone(); break;
            case "hs256-public-key": builder.Hs256WithPublicKey(); break;
            case "unknown-key": builder.SignedWith(MockAuthorizationServer.CreateUnpublishedKey()); break;
            case "wrong-type": builder.Type("JWT"); break;
        }
    }
}
