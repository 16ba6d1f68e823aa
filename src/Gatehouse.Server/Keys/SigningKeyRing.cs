using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Server.Storage;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Keys;

/// <summary>
/// The keys this process signs and verifies with, decrypted once when loaded and swapped atomically on reload,
/// so the hot path never touches the store, the KDF or the configuration.
/// </summary>
public sealed class SigningKeyRing(KeyProtector protector, TimeProvider time)
{
    private sealed record LoadedKey(SigningKeyRecord Record, SigningCredentials Credentials);
    private sealed record Snapshot(IReadOnlyList<LoadedKey> Keys, IReadOnlyList<SecurityKey> ValidationKeys, byte[] Jwks);

    private volatile Snapshot _snapshot = new([], [], Encoding.UTF8.GetBytes("{\"keys\":[]}"));

    public bool IsLoaded => _snapshot.Keys.Count > 0;

    /// <summary>The credentials of the key that signs now.</summary>
    /// <exception cref="InvalidOperationException">No key is active (the store holds none that signs now).</exception>
    public SigningCredentials Current
    {
        get
        {
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            LoadedKey? best = null;
            foreach (var key in _snapshot.Keys)
            {
                if (key.Record.ActivatesAt <= now && now < key.Record.RetiresAt && (best is null || key.Record.ActivatesAt > best.Record.ActivatesAt))
                    best = key;
            }
            return best?.Credentials ?? throw new InvalidOperationException("No signing key is active. Check that key rotation runs ('gatehouse keys list').");
        }
    }

    /// <summary>Every published key, for verifying tokens this server issued.</summary>
    public IReadOnlyList<SecurityKey> ValidationKeys => _snapshot.ValidationKeys;

    /// <summary>The JWKS document (RFC 7517 §5), public parts only.</summary>
    public ReadOnlyMemory<byte> Jwks => _snapshot.Jwks;

    public void Load(IReadOnlyList<SigningKeyRecord> records)
    {
        var previous = _snapshot.Keys.ToDictionary(k => k.Record.Kid, StringComparer.Ordinal);
        var loaded = new List<LoadedKey>(records.Count);
        var jwks = new JsonArray();
        foreach (var record in records.OrderBy(r => r.ActivatesAt))
        {
            var credentials = previous.TryGetValue(record.Kid, out var known)
                ? known.Credentials
                : new SigningCredentials(SigningAlgorithms.LoadKey(record.Algorithm, protector.Unprotect(record.ProtectedPrivateKey, record.Kid), record.Kid), record.Algorithm);
            loaded.Add(new LoadedKey(record, credentials));
            jwks.Add(JsonNode.Parse(record.PublicJwk));
        }
        var document = new JsonObject { ["keys"] = jwks };
        _snapshot = new Snapshot(loaded, loaded.Select(k => k.Credentials.Key).ToArray(), Encoding.UTF8.GetBytes(document.ToJsonString()));
    }
}
