using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Server.Configuration;

namespace Gatehouse.Server.Users;

/// <summary>
/// Password hashes as <c>pbkdf2-sha256$iterations$salt$hash</c> (base64, 16-byte salt, 32-byte hash). PBKDF2-HMAC-SHA256
/// is the platform's FIPS-approved KDF; OWASP's Password Storage Cheat Sheet asks for 600 000 iterations. The cost is
/// part of each hash, so raising it later still verifies old hashes and <see cref="NeedsRehash"/> says when to upgrade.
/// </summary>
public sealed class PasswordHasher(AuthenticationOptions options)
{
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    // Verified against when the username is unknown, so that the answer takes as long as for a known user.
    private readonly Lazy<string> _unknownUserHash = new(() => Hash(options, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));

    public string Hash(string password) => Hash(options, password);

    private static string Hash(AuthenticationOptions options, string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, options.PasswordHashIterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, options.PasswordHashIterations.ToString(CultureInfo.InvariantCulture),
            Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Checks a password in constant time with respect to the stored hash; a malformed hash never matches.</summary>
    public bool Verify(string password, string storedHash)
    {
        if (!TryParse(storedHash, out var iterations, out var salt, out var expected))
            return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Spends the time of one verification without a user, so a caller cannot tell unknown usernames by timing.</summary>
    public void VerifyUnknownUser(string password) => Verify(password, _unknownUserHash.Value);

    public bool NeedsRehash(string storedHash) =>
        !TryParse(storedHash, out var iterations, out _, out _) || iterations < options.PasswordHashIterations;

    public static bool IsWellFormed(string storedHash) => TryParse(storedHash, out _, out _, out _);

    private static bool TryParse(string stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1)
            return false;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length >= SaltBytes && hash.Length == HashBytes;
    }
}
