using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.IntegrationTests.Infrastructure;

/// <summary>
/// A Gatehouse configuration file for one test: fresh encryption key and client secrets, a SQLite store in the
/// test's directory, issuer http://127.0.0.1:PORT. Tests change <see cref="Document"/> before <see cref="Save"/>.
/// </summary>
public sealed class TestConfiguration
{
    public const string ApiAudience = "https://api.test";
    public const string AdminAudience = "urn:gatehouse:admin";
    public const string AdminScope = "gatehouse.admin";

    /// <summary>Clients: service (opaque), jwt-service (jwt), gateway (introspection only), admin (opaque) and admin-jwt with gatehouse.admin.</summary>
    public static readonly string[] ClientIds = ["service", "jwt-service", "gateway", "admin", "admin-jwt"];

    private readonly Dictionary<string, string> _secrets;

    private TestConfiguration(string directory, int port, string fileName, JsonObject document, Dictionary<string, string> secrets)
    {
        Directory = directory;
        Port = port;
        Path = System.IO.Path.Combine(directory, fileName);
        Document = document;
        _secrets = secrets;
    }

    public string Directory { get; }
    public int Port { get; private set; }
    public string Path { get; }
    public string Issuer => $"http://127.0.0.1:{Port}";
    public Uri BaseAddress => new(Issuer);
    public string DatabasePath => System.IO.Path.Combine(Directory, "gatehouse.db");
    public JsonObject Document { get; }
    public JsonObject Gatehouse => Document["Gatehouse"]!.AsObject();
    public JsonObject Keys => Gatehouse["Keys"]!.AsObject();
    public JsonObject Client(string id) => Gatehouse["Clients"]![id]!.AsObject();

    public string SecretOf(string clientId) => _secrets[clientId];

    /// <summary>Changes the port of the issuer (keeping secrets and keys) and saves, for a retry after a port conflict.</summary>
    public string MoveTo(int port)
    {
        Port = port;
        Gatehouse["Issuer"] = Issuer;
        return Save();
    }

    /// <param name="fastKeyRotation">CheckInterval 1 s, JwksMaxAge 1 s, PublishAhead 20 s (room for a slow CLI start on a loaded 2-core CI machine), so rotations are observable within a test.</param>
    public static TestConfiguration Create(string directory, int port, bool fastKeyRotation = false, string roles = "all", string fileName = "gatehouse.json")
    {
        var secrets = ClientIds.ToDictionary(id => id, _ => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)));
        var keys = new JsonObject
        {
            ["Algorithm"] = "ES256",
            ["EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        if (fastKeyRotation)
        {
            keys["CheckInterval"] = "00:00:01";
            keys["JwksMaxAge"] = "00:00:01";
            keys["PublishAhead"] = "00:00:20";
        }
        var document = new JsonObject
        {
            ["Gatehouse"] = new JsonObject
            {
                ["Issuer"] = $"http://127.0.0.1:{port}",
                ["Roles"] = roles,
                ["Storage"] = new JsonObject
                {
                    ["Provider"] = "sqlite",
                    ["ConnectionString"] = $"Data Source={System.IO.Path.Combine(directory, "gatehouse.db")}",
                },
                ["Keys"] = keys,
                ["Scopes"] = new JsonObject
                {
                    ["appointments"] = new JsonObject { ["Description"] = "Book and view appointments", ["Claims"] = new JsonArray("hospital", "department") },
                    ["records"] = new JsonObject { ["Description"] = "Read medical records", ["Claims"] = new JsonArray("department") },
                    [AdminScope] = new JsonObject { ["Description"] = "Manage Gatehouse" },
                },
                ["Clients"] = new JsonObject
                {
                    ["service"] = Client(secrets["service"], "opaque", ApiAudience, ["appointments", "records"],
                        new JsonObject { ["hospital"] = "st-mary", ["department"] = "cardiology" }),
                    ["jwt-service"] = Client(secrets["jwt-service"], "jwt", ApiAudience, ["appointments"],
                        new JsonObject { ["hospital"] = "st-mary", ["department"] = "radiology" }),
                    ["gateway"] = new JsonObject { ["Secret"] = secrets["gateway"], ["Introspection"] = true },
                    ["admin"] = Client(secrets["admin"], "opaque", AdminAudience, [AdminScope], new JsonObject()),
                    ["admin-jwt"] = Client(secrets["admin-jwt"], "jwt", AdminAudience, [AdminScope], new JsonObject()),
                },
            },
        };
        return new TestConfiguration(directory, port, fileName, document, secrets);
    }

    /// <summary>Writes the document to <see cref="Path"/> and returns the path.</summary>
    public string Save()
    {
        File.WriteAllText(Path, Document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return Path;
    }

    private static JsonObject Client(string secret, string format, string audience, string[] scopes, JsonObject claims) => new()
    {
        ["Secret"] = secret,
        ["GrantTypes"] = new JsonArray("client_credentials"),
        ["Scopes"] = new JsonArray(scopes.Select(s => (JsonNode)s).ToArray()),
        ["AccessTokenFormat"] = format,
        ["Audience"] = audience,
        ["Claims"] = claims,
    };
}
