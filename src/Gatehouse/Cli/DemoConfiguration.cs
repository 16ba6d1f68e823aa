using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Protocol.Tokens;

namespace Gatehouse.Cli;

/// <summary>
/// The configuration of <c>gatehouse up</c>: created once under the data directory with fresh secrets and a fresh
/// key-encryption key, then reused, so tokens and keys survive restarts.
/// </summary>
internal static class DemoConfiguration
{
    public const string FileName = "gatehouse.json";
    public const string EnvFileName = "demo.env";

    public static (string Path, bool Created) Ensure(string dataDirectory, string issuer)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
            return (path, false);

        var secrets = new Dictionary<string, string>
        {
            ["demo-service"] = OpaqueToken.Create(),
            ["demo-jwt-service"] = OpaqueToken.Create(),
            ["demo-gateway"] = OpaqueToken.Create(),
            ["demo-admin"] = OpaqueToken.Create(),
            ["demo-medical-portal"] = OpaqueToken.Create(),
        };
        var document = new JsonObject
        {
            ["Gatehouse"] = new JsonObject
            {
                ["Issuer"] = issuer,
                ["Roles"] = "all",
                ["Storage"] = new JsonObject { ["Provider"] = "sqlite", ["ConnectionString"] = SqliteConnectionString(dataDirectory) },
                ["Keys"] = new JsonObject { ["Algorithm"] = "ES256", ["EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
                ["Scopes"] = new JsonObject
                {
                    ["appointments"] = Scope("Book and view appointments", "hospital", "department", "roles"),
                    ["records"] = Scope("Read medical records", "hospital", "department", "roles"),
                    ["gatehouse.admin"] = Scope("Manage Gatehouse"),
                    // OpenID Connect (OIDC Core §5.4); profile and email claims are served by /userinfo.
                    ["openid"] = Scope("Sign you in"),
                    ["profile"] = Scope("Your name and profile", "name", "given_name", "family_name", "preferred_username", "locale"),
                    ["email"] = Scope("Your email address", "email"),
                },
                ["Clients"] = new JsonObject
                {
                    ["demo-service"] = Client(secrets["demo-service"], "opaque", ["appointments", "records"],
                        new JsonObject { ["hospital"] = "st-mary", ["department"] = "cardiology" }),
                    ["demo-jwt-service"] = Client(secrets["demo-jwt-service"], "jwt", ["appointments"],
                        new JsonObject { ["hospital"] = "st-mary", ["department"] = "radiology" }),
                    ["demo-gateway"] = new JsonObject { ["Secret"] = secrets["demo-gateway"], ["Introspection"] = true },
                    // Stands in for a doctor's app until people sign in (authorization code flow): the client is the subject.
                    ["demo-medical-portal"] = Client(secrets["demo-medical-portal"], "opaque", ["appointments", "records"],
                        new JsonObject { ["hospital"] = "st-mary", ["department"] = "cardiology", ["roles"] = "doctor" }),
                    ["demo-admin"] = Client(secrets["demo-admin"], "jwt", ["gatehouse.admin"], new JsonObject(), audience: "urn:gatehouse:admin"),
                },
            },
        };
        File.WriteAllText(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllLines(Path.Combine(dataDirectory, EnvFileName),
            secrets.Select(s => $"export {s.Key.ToUpperInvariant().Replace('-', '_')}_SECRET={s.Value}"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.SetUnixFileMode(Path.Combine(dataDirectory, EnvFileName), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return (path, true);
    }

    public static string SqliteConnectionString(string dataDirectory) => $"Data Source={Path.Combine(dataDirectory, "gatehouse.db")}";

    private static JsonObject Scope(string description, params string[] claims) =>
        new() { ["Description"] = description, ["Claims"] = new JsonArray(claims.Select(c => (JsonNode)c).ToArray()) };

    public const string MedicalApiAudience = "urn:gatehouse:medical-api";

    private static JsonObject Client(string secret, string format, string[] scopes, JsonObject claims, string audience = MedicalApiAudience) => new()
    {
        ["Secret"] = secret,
        ["GrantTypes"] = new JsonArray("client_credentials"),
        ["Scopes"] = new JsonArray(scopes.Select(s => (JsonNode)s).ToArray()),
        ["AccessTokenFormat"] = format,
        ["Audience"] = audience,
        ["Claims"] = claims,
    };
}
