using System.Text.Json;

namespace Gatehouse.Server.Users;

/// <summary>A user's attributes as stored (a JSON object) and as released into tokens: each value a string or a string array.</summary>
public static class UserClaims
{
    public const string Roles = "roles";

    public static string Serialize(IReadOnlyDictionary<string, object> claims) => JsonSerializer.Serialize(claims);

    public static IReadOnlyDictionary<string, object> Parse(string json)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            claims[property.Name] = property.Value.ValueKind == JsonValueKind.Array
                ? property.Value.EnumerateArray().Select(v => v.GetString() ?? "").ToArray()
                : property.Value.GetString() ?? "";
        }
        return claims;
    }

    /// <summary>Single values stay strings; a name given more than once becomes an array (as <c>--claim hospitals=a --claim hospitals=b</c>).</summary>
    public static Dictionary<string, object> FromPairs(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var group in pairs.GroupBy(p => p.Key, StringComparer.Ordinal))
        {
            var values = group.Select(p => p.Value).ToArray();
            claims[group.Key] = values.Length == 1 ? values[0] : values;
        }
        return claims;
    }
}
