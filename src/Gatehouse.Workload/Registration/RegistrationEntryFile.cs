using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Protocol.Spiffe;

namespace Gatehouse.Workload.Registration;

/// <summary>
/// Registration entries from a JSON file, shaped like SPIRE's <c>entry create -data</c> file:
/// <c>{ "entries": [ { "id": "api", "spiffe_id": "spiffe://example.org/api", "selectors": ["unix:uid:1000"],
/// "dns_names": ["api.local"], "x509_svid_ttl": 3600, "jwt_svid_ttl": 300 } ] }</c> (TTLs in seconds, optional).
/// </summary>
public static class RegistrationEntryFile
{
    public static IReadOnlyList<RegistrationEntry> Load(string path, TrustDomain trustDomain)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistrationEntryFileException($"{path}: {e.Message}");
        }
        return Parse(json, trustDomain, path);
    }

    public static IReadOnlyList<RegistrationEntry> Parse(string json, TrustDomain trustDomain, string source = "entries")
    {
        EntriesDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<EntriesDocument>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new RegistrationEntryFileException($"{source}: not a valid entries file: {e.Message}");
        }
        if (document?.Entries is null)
            throw new RegistrationEntryFileException($"{source}: expected {{ \"entries\": [ … ] }}.");

        var result = new List<RegistrationEntry>();
        for (var i = 0; i < document.Entries.Count; i++)
        {
            var e = document.Entries[i];
            var where = $"{source}: entries[{i}]";
            if (!SpiffeId.TryParse(e.SpiffeId, out var id, out var error))
                throw new RegistrationEntryFileException($"{where}.spiffe_id '{e.SpiffeId}' is not a SPIFFE ID ({error}).");
            if (id!.TrustDomain != trustDomain)
                throw new RegistrationEntryFileException($"{where}.spiffe_id {id} is outside trust domain {trustDomain}; this agent issues only in {trustDomain}.");
            if (id.IsTrustDomainId)
                throw new RegistrationEntryFileException($"{where}.spiffe_id {id} needs a path (e.g. {trustDomain.Id}/api).");
            if (e.Selectors is not { Count: > 0 })
                throw new RegistrationEntryFileException($"{where}.selectors is empty; an entry needs at least one selector such as unix:uid:1000.");
            var selectors = new List<Selector>();
            foreach (var text in e.Selectors)
            {
                if (!Selector.TryParse(text, out var selector, out var reason))
                    throw new RegistrationEntryFileException($"{where}.selectors: '{text}': {reason}.");
                selectors.Add(selector);
            }
            foreach (var (key, ttl) in new[] { ("x509_svid_ttl", e.X509SvidTtl), ("jwt_svid_ttl", e.JwtSvidTtl) })
            {
                if (ttl is <= 0)
                    throw new RegistrationEntryFileException($"{where}.{key} must be a positive number of seconds (got {ttl}).");
            }
            var entryId = string.IsNullOrEmpty(e.Id) ? id.ToString() : e.Id;
            if (result.Any(r => r.Id == entryId))
                throw new RegistrationEntryFileException($"{where}.id '{entryId}' is used twice.");
            result.Add(new RegistrationEntry(entryId, id, selectors, e.DnsNames,
                e.X509SvidTtl is { } x ? TimeSpan.FromSeconds(x) : null, e.JwtSvidTtl is { } j ? TimeSpan.FromSeconds(j) : null));
        }
        return result;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private sealed class EntriesDocument
    {
        [JsonPropertyName("entries")] public List<EntryDocument>? Entries { get; set; }
    }

    private sealed class EntryDocument
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("spiffe_id")] public string? SpiffeId { get; set; }
        [JsonPropertyName("selectors")] public List<string>? Selectors { get; set; }
        [JsonPropertyName("dns_names")] public List<string>? DnsNames { get; set; }
        [JsonPropertyName("x509_svid_ttl")] public double? X509SvidTtl { get; set; }
        [JsonPropertyName("jwt_svid_ttl")] public double? JwtSvidTtl { get; set; }
    }
}

public sealed class RegistrationEntryFileException(string message) : Exception(message);
