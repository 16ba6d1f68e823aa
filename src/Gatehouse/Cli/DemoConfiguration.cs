using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Protocol.Tokens;

namespace Gatehouse.Cli;

/// <summary>
/// The configuration of <c>gatehouse up</c>: created under the data directory with fresh secrets and a fresh
/// key-encryption key, then reused, so tokens and keys survive restarts. Demo entries added by a newer version
/// (scopes, clients, users) are added to an existing file without touching what is there.
/// </summary>
internal static class DemoConfiguration
{
    public const string FileName = "gatehouse.json";
    public const string EnvFileName = "demo.env";
    public const string MedicalApiAudience = "urn:gatehouse:medical-api";
    public const string PortalClientId = "demo-doctor-portal";
    public const string NativeClientId = "demo-native-app";

    /// <summary>The demo doctors; their subjects are the doctor ids in the Medical sample's data.</summary>
    public static readonly (string Username, string Name, string Department, string Hospital)[] Doctors =
    [
        ("dr-alice", "Alice Adams", "cardiology", "st-mary"),
        ("dr-bob", "Bob Brown", "cardiology", "st-mary"),
        ("dr-carol", "Carol Clark", "oncology", "st-mary"),
        ("dr-dave", "Dave Davis", "cardiology", "riverside"),
    ];

    public static (string Path, bool Created) Ensure(string dataDirectory, string issuer)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        var created = !File.Exists(path);
        var document = created ? NewDocument(dataDirectory, issuer) : Read(path);
        var gatehouse = Section(document, "Gatehouse");
        var newSecrets = new Dictionary<string, string>();

        var scopes = Section(gatehouse, "Scopes");
        Add(scopes, "openid", () => Scope("Sign you in"));
        Add(scopes, "profile", () => Scope("Your name", "name", "given_name", "family_name"));
        Add(scopes, "email", () => Scope("Your email address", "email"));
        Add(scopes, "appointments", () => Scope("Book and view appointments", "hospital", "department", "roles"));
        Add(scopes, "records", () => Scope("Read medical records", "hospital", "department", "roles"));
        Add(scopes, "gatehouse.admin", () => Scope("Manage Gatehouse"));

        var clients = Section(gatehouse, "Clients");
        string Secret(string clientId) => newSecrets[$"{clientId}_SECRET"] = OpaqueToken.Create();
        Add(clients, "demo-service", () => ServiceClient(Secret("demo-service"), "opaque", ["appointments", "records"],
            new JsonObject { ["hospital"] = "st-mary", ["department"] = "cardiology" }));
        Add(clients, "demo-jwt-service", () => ServiceClient(Secret("demo-jwt-service"), "jwt", ["appointments"],
            new JsonObject { ["hospital"] = "st-mary", ["department"] = "radiology" }));
        Add(clients, "demo-gateway", () => new JsonObject { ["Secret"] = Secret("demo-gateway"), ["Introspection"] = true });
        // A service acting as a doctor with client credentials; the doctor portal below signs real users in instead.
        Add(clients, "demo-medical-portal", () => ServiceClient(Secret("demo-medical-portal"), "opaque", ["appointments", "records"],
            new JsonObject { ["hospital"] = "st-mary", ["department"] = "cardiology", ["roles"] = "doctor" }));
        Add(clients, "demo-admin", () => ServiceClient(Secret("demo-admin"), "jwt", ["gatehouse.admin"], new JsonObject(), audience: "urn:gatehouse:admin"));
        // First-party web app (no consent screen); its redirect URIs follow --port, so `up` sets them on every start.
        Add(clients, PortalClientId, () => new JsonObject
        {
            ["DisplayName"] = "Doctor portal",
            ["Secret"] = Secret(PortalClientId),
            ["GrantTypes"] = new JsonArray("authorization_code", "refresh_token"),
            ["Scopes"] = new JsonArray("openid", "profile", "email", "appointments"),
            ["Audience"] = MedicalApiAudience,
            ["RequireConsent"] = false,
        });
        // A public native client (RFC 8252): PKCE instead of a secret, loopback redirect; the user consents.
        Add(clients, NativeClientId, () => new JsonObject
        {
            ["DisplayName"] = "Demo native app",
            ["Public"] = true,
            ["GrantTypes"] = new JsonArray("authorization_code", "refresh_token"),
            ["Scopes"] = new JsonArray("openid", "profile", "email", "appointments"),
            ["Audience"] = MedicalApiAudience,
            ["RedirectUris"] = new JsonArray("http://127.0.0.1:7890/callback"),
            ["PostLogoutRedirectUris"] = new JsonArray("http://127.0.0.1:7890/signed-out"),
        });

        var users = Section(gatehouse, "Users");
        foreach (var (username, name, department, hospital) in Doctors)
        {
            Add(users, username, () => new JsonObject
            {
                ["Password"] = newSecrets[$"{username}_PASSWORD"] = OpaqueToken.Create()[..16],
                ["Subject"] = username,
                ["Claims"] = new JsonObject { ["name"] = name, ["department"] = department, ["hospital"] = hospital, ["email"] = $"{username}@example.test" },
                ["Roles"] = new JsonArray("doctor"),
            });
        }

        if (created || newSecrets.Count > 0)
        {
            File.WriteAllText(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            File.AppendAllLines(Path.Combine(dataDirectory, EnvFileName),
                newSecrets.Select(s => $"export {s.Key.ToUpperInvariant().Replace('-', '_')}={s.Value}"));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.SetUnixFileMode(Path.Combine(dataDirectory, EnvFileName), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        return (path, created);
    }

    /// <summary>Settings that depend on this run's ports, forced on every start.</summary>
    public static Dictionary<string, string?> PortalRedirects(string portalUrl) => new()
    {
        [$"Gatehouse:Clients:{PortalClientId}:RedirectUris:0"] = portalUrl + "/signin-oidc",
        [$"Gatehouse:Clients:{PortalClientId}:PostLogoutRedirectUris:0"] = portalUrl + "/signout-callback-oidc",
    };

    public static string SqliteConnectionString(string dataDirectory) => $"Data Source={Path.Combine(dataDirectory, "gatehouse.db")}";

    private static JsonObject NewDocument(string dataDirectory, string issuer) => new()
    {
        ["Gatehouse"] = new JsonObject
        {
            ["Issuer"] = issuer,
            ["Roles"] = "all",
            ["Storage"] = new JsonObject { ["Provider"] = "sqlite", ["ConnectionString"] = SqliteConnectionString(dataDirectory) },
            ["Keys"] = new JsonObject { ["Algorithm"] = "ES256", ["EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
        },
    };

    /// <summary>Reads an existing file as the configuration loader would (comments and trailing commas allowed).</summary>
    private static JsonObject Read(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            }) as JsonObject ?? throw new JsonException("The file does not hold a JSON object.");
        }
        catch (JsonException e)
        {
            // Reported like any configuration file that is not valid JSON (CommandFailures).
            throw new InvalidDataException($"Failed to load configuration from file '{path}'.", e);
        }
    }

    private static JsonObject Section(JsonObject parent, string name) =>
        parent[name] as JsonObject ?? (JsonObject)(parent[name] = new JsonObject());

    private static void Add(JsonObject section, string name, Func<JsonObject> create)
    {
        if (!section.ContainsKey(name))
            section[name] = create();
    }

    private static JsonObject Scope(string description, params string[] claims) =>
        new() { ["Description"] = description, ["Claims"] = new JsonArray(claims.Select(c => (JsonNode)c).ToArray()) };

    private static JsonObject ServiceClient(string secret, string format, string[] scopes, JsonObject claims, string audience = MedicalApiAudience) => new()
    {
        ["Secret"] = secret,
        ["GrantTypes"] = new JsonArray("client_credentials"),
        ["Scopes"] = new JsonArray(scopes.Select(s => (JsonNode)s).ToArray()),
        ["AccessTokenFormat"] = format,
        ["Audience"] = audience,
        ["Claims"] = claims,
    };
}
