using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Protocol.Spiffe;

/// <summary>
/// The trust material of one trust domain (SPIFFE_Trust_Domain_and_Bundle §4), serialized as a JWK Set:
/// X.509 authorities as <c>use: x509-svid</c> entries with <c>x5c</c> (X509-SVID §6), JWT authorities as
/// <c>use: jwt-svid</c> entries with <c>kid</c> (JWT-SVID §6), plus <c>spiffe_sequence</c> and <c>spiffe_refresh_hint</c>.
/// </summary>
public sealed class SpiffeBundle
{
    public const string X509SvidUse = "x509-svid";
    public const string JwtSvidUse = "jwt-svid";

    public SpiffeBundle(TrustDomain trustDomain, IEnumerable<X509Certificate2>? x509Authorities = null,
        IEnumerable<JsonWebKey>? jwtAuthorities = null, ulong? sequenceNumber = null, TimeSpan? refreshHint = null)
    {
        TrustDomain = trustDomain;
        X509Authorities = x509Authorities?.ToArray() ?? [];
        var jwt = new Dictionary<string, JsonWebKey>(StringComparer.Ordinal);
        foreach (var key in jwtAuthorities ?? [])
        {
            if (string.IsNullOrEmpty(key.Kid))
                throw new ArgumentException("JWT authorities need a kid (JWT-SVID §6).", nameof(jwtAuthorities));
            if (key.HasPrivateKey)
                throw new ArgumentException("Bundles carry public keys only.", nameof(jwtAuthorities));
            if (!jwt.TryAdd(key.Kid, key))
                throw new ArgumentException($"Duplicate kid '{key.Kid}'.", nameof(jwtAuthorities));
        }
        JwtAuthorities = jwt;
        SequenceNumber = sequenceNumber;
        RefreshHint = refreshHint;
    }

    public TrustDomain TrustDomain { get; }
    public IReadOnlyList<X509Certificate2> X509Authorities { get; }
    public IReadOnlyDictionary<string, JsonWebKey> JwtAuthorities { get; }
    public ulong? SequenceNumber { get; }
    public TimeSpan? RefreshHint { get; }

    /// <summary>A public JWK for a JWT signing key, with its kid.</summary>
    public static JsonWebKey JwtAuthority(string kid, AsymmetricAlgorithm publicKey) => publicKey switch
    {
        ECDsa ec => JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(PublicOnly(ec)) { KeyId = kid }),
        RSA rsa => JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = kid }),
        _ => throw new NotSupportedException("JWT authorities are EC or RSA keys."),
    };

    /// <summary>
    /// Parses a bundle for a trust domain the caller already knows (the bundle itself does not name it, §5).
    /// Entries with an unknown <c>kty</c> or <c>use</c>, x509-svid entries without <c>x5c</c> and jwt-svid entries
    /// without <c>kid</c> are ignored as the specifications require; a missing <c>keys</c> or malformed value throws.
    /// </summary>
    public static SpiffeBundle Parse(TrustDomain trustDomain, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new BundleFormatException("A bundle is a JSON object (a JWK Set).");
            if (!root.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
                throw new BundleFormatException("The 'keys' array MUST be present (§4.1.3).");

            ulong? sequence = null;
            if (root.TryGetProperty("spiffe_sequence", out var seq))
                sequence = seq.ValueKind == JsonValueKind.Number && seq.TryGetUInt64(out var s) ? s
                    : throw new BundleFormatException("'spiffe_sequence' must be a non-negative integer (§4.1.1).");
            TimeSpan? refreshHint = null;
            if (root.TryGetProperty("spiffe_refresh_hint", out var hint))
                refreshHint = hint.ValueKind == JsonValueKind.Number && hint.TryGetInt64(out var h) && h >= 0 ? TimeSpan.FromSeconds(h)
                    : throw new BundleFormatException("'spiffe_refresh_hint' must be an integer number of seconds (§4.1.2).");

            var x509 = new List<X509Certificate2>();
            var jwt = new List<JsonWebKey>();
            foreach (var key in keys.EnumerateArray())
            {
                if (key.ValueKind != JsonValueKind.Object)
                    throw new BundleFormatException("Each entry of 'keys' is a JWK object.");
                var kty = StringOrNull(key, "kty");
                var use = StringOrNull(key, "use");
                if (kty is not ("EC" or "RSA"))
                    continue; // §4.2.1: unknown (or missing) key type — ignore the entry
                switch (use)
                {
                    case X509SvidUse:
                        // X509-SVID §6.2: ignore entries without x5c; only the first certificate counts.
                        if (!key.TryGetProperty("x5c", out var x5c) || x5c.ValueKind != JsonValueKind.Array || x5c.GetArrayLength() == 0)
                            continue;
                        var der = Convert.FromBase64String(x5c[0].GetString() ?? throw new BundleFormatException("x5c values are strings."));
                        var authority = X509CertificateLoader.LoadCertificate(der);
                        if (!authority.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
                            throw new BundleFormatException("An x509-svid entry must hold a CA certificate (X509-SVID §6.1).");
                        x509.Add(authority);
                        break;
                    case JwtSvidUse:
                        if (string.IsNullOrEmpty(StringOrNull(key, "kid")))
                            continue; // JWT-SVID §6: kid MUST be set; a key without one cannot be selected
                        var jwk = JsonWebKey.Create(key.GetRawText());
                        if (jwk.HasPrivateKey)
                            throw new BundleFormatException("A bundle must not contain private keys.");
                        if (jwt.Any(k => k.Kid == jwk.Kid))
                            throw new BundleFormatException($"Duplicate kid '{jwk.Kid}'.");
                        jwt.Add(jwk);
                        break;
                    default:
                        continue; // §4.2.2: unknown (or missing) use — ignore the entry
                }
            }
            return new SpiffeBundle(trustDomain, x509, jwt, sequence, refreshHint);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or CryptographicException or ArgumentException)
        {
            throw new BundleFormatException("Malformed SPIFFE bundle: " + ex.Message, ex);
        }
    }

    /// <summary>Serializes as a SPIFFE JWK Set. x509-svid entries carry no kid (X509-SVID §6.1).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("keys");
            foreach (var certificate in X509Authorities)
            {
                var jwk = PublicJwk(certificate);
                w.WriteStartObject();
                WriteKeyParameters(w, jwk);
                w.WriteString("use", X509SvidUse);
                w.WriteStartArray("x5c");
                w.WriteStringValue(Convert.ToBase64String(certificate.RawData));
                w.WriteEndArray();
                w.WriteEndObject();
            }
            foreach (var jwk in JwtAuthorities.Values)
            {
                w.WriteStartObject();
                WriteKeyParameters(w, jwk);
                w.WriteString("kid", jwk.Kid);
                w.WriteString("use", JwtSvidUse);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (SequenceNumber is { } sequence)
                w.WriteNumber("spiffe_sequence", sequence);
            if (RefreshHint is { } hint)
                w.WriteNumber("spiffe_refresh_hint", (long)hint.TotalSeconds);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static JsonWebKey PublicJwk(X509Certificate2 certificate)
    {
        using var ec = certificate.GetECDsaPublicKey();
        if (ec is not null)
            return JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(PublicOnly(ec)));
        using var rsa = certificate.GetRSAPublicKey() ?? throw new NotSupportedException("X.509 authorities are EC or RSA.");
        return JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)));
    }

    private static void WriteKeyParameters(Utf8JsonWriter w, JsonWebKey jwk)
    {
        w.WriteString("kty", jwk.Kty);
        if (jwk.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve)
        {
            w.WriteString("crv", jwk.Crv);
            w.WriteString("x", jwk.X);
            w.WriteString("y", jwk.Y);
        }
        else
        {
            w.WriteString("n", jwk.N);
            w.WriteString("e", jwk.E);
        }
    }

    private static ECDsa PublicOnly(ECDsa key) => ECDsa.Create(key.ExportParameters(includePrivateParameters: false));

    private static string? StringOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

public sealed class BundleFormatException(string message, Exception? inner = null) : FormatException(message, inner);
