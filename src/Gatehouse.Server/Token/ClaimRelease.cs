using Gatehouse.Server.Clients;
using Gatehouse.Server.Configuration;

namespace Gatehouse.Server.Token;

/// <summary>
/// Which claims a token carries beyond the standard ones: each granted scope releases the claims it lists,
/// taken from what is known about the subject, then renamed or dropped by the client's claim mappings,
/// so each API receives the least data it needs.
/// </summary>
public sealed class ClaimRelease(GatehouseOptions options)
{
    public void AddReleasedClaims(IDictionary<string, object> claims, ClientDefinition client, IReadOnlyList<string> grantedScopes,
        IReadOnlyDictionary<string, object> subjectClaims)
    {
        foreach (var scope in grantedScopes)
        {
            if (!options.Scopes.TryGetValue(scope, out var definition))
                continue;
            foreach (var name in definition.Claims)
            {
                if (!subjectClaims.TryGetValue(name, out var value))
                    continue;
                var target = client.ClaimMappings.GetValueOrDefault(name, name);
                if (target.Length > 0)
                    claims[target] = value;
            }
        }
    }
}
