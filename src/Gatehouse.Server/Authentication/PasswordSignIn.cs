using Gatehouse.Server.Configuration;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Authentication;

/// <summary>
/// Checks a username and password. Every failure looks the same to the caller — unknown user, wrong password,
/// disabled or locked account — and takes the time of one password hash, so usernames cannot be enumerated.
/// </summary>
public sealed class PasswordSignIn(UserStore users, PasswordHasher hasher, AuthenticationOptions options, TimeProvider time)
{
    public const string FailureMessage = "The username or password is incorrect.";

    /// <summary>The user when the password is right and the account may sign in; null otherwise.</summary>
    public async Task<UserRecord?> VerifyAsync(string username, string password, CancellationToken ct)
    {
        var user = await users.FindByUsernameAsync(username, ct);
        if (user is null)
        {
            hasher.VerifyUnknownUser(password);
            return null;
        }
        var passwordMatches = hasher.Verify(password, user.PasswordHash);
        if (IsLockedOut(user))
            return null;
        if (!passwordMatches)
        {
            await RecordFailureAsync(user, ct);
            return null;
        }
        if (!user.Enabled)
            return null;
        await users.ResetFailedSignInsAsync(user.Subject, ct);
        // The cost is part of each hash; a raised iteration count reaches existing users as they sign in.
        if (hasher.NeedsRehash(user.PasswordHash))
            await users.SetPasswordHashAsync(user.Subject, hasher.Hash(password), ct);
        return user;
    }

    public bool IsLockedOut(UserRecord user) => user.LockedUntil > time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Counts a failed password or second factor; the threshold-th in a row locks the account.</summary>
    public Task RecordFailureAsync(UserRecord user, CancellationToken ct) =>
        users.RecordFailedSignInAsync(user.Subject, options.LockoutThreshold, (time.GetUtcNow() + options.LockoutDuration).ToUnixTimeSeconds(), ct);
}
