using Gatehouse.Protocol.Tokens;
using Gatehouse.Server.Configuration;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Users;

/// <summary>Creates the users listed under <c>Gatehouse:Users</c> that do not exist yet; existing users are left as they are.</summary>
public sealed class UserSeeder(GatehouseOptions options, UserStore users, PasswordHasher hasher, TimeProvider time)
{
    /// <summary>Returns the usernames created.</summary>
    public async Task<IReadOnlyList<string>> SeedAsync(CancellationToken ct)
    {
        var created = new List<string>();
        foreach (var (username, seed) in options.Users)
        {
            if (await users.FindByUsernameAsync(username, ct) is not null)
                continue;
            if (await users.TryAddAsync(NewUser(username, seed.Subject, seed.PasswordHash ?? hasher.Hash(seed.Password!), ClaimsOf(seed), time), ct))
                created.Add(username);
        }
        return created;
    }

    public static UserRecord NewUser(string username, string? subject, string passwordHash, IReadOnlyDictionary<string, object> claims, TimeProvider time) => new()
    {
        Subject = string.IsNullOrEmpty(subject) ? OpaqueToken.Create()[..22] : subject,
        Username = username.Trim(),
        NormalizedUsername = UserStore.Normalize(username),
        PasswordHash = passwordHash,
        Claims = UserClaims.Serialize(claims),
        CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(),
    };

    private static Dictionary<string, object> ClaimsOf(UserSeedOptions seed)
    {
        var claims = seed.Claims.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal);
        if (seed.Roles.Length > 0)
            claims[UserClaims.Roles] = seed.Roles;
        return claims;
    }
}
