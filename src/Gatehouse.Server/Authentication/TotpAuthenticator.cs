using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Users;
using OtpNet;

namespace Gatehouse.Server.Authentication;

/// <summary>
/// TOTP second factor (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps). The shared secret is encrypted at rest with the
/// key protector, bound to the user's subject; a code is accepted one step either side of now (§5.2) and each step
/// only once (UserStore.TryUseTotpStepAsync), so an observed or replayed code fails.
/// </summary>
public sealed class TotpAuthenticator(UserStore users, KeyProtector protector, TimeProvider time)
{
    public const int SecretBytes = 20;
    private static readonly VerificationWindow OneStepEitherSide = new(previous: 1, future: 1);

    public static byte[] NewSecret() => KeyGeneration.GenerateRandomKey(SecretBytes);

    /// <summary>The otpauth URI authenticator apps read from the QR code (Key Uri Format).</summary>
    public static string EnrolmentUri(string issuer, string username, byte[] secret)
    {
        var label = Uri.EscapeDataString($"{issuer}:{username}");
        return $"otpauth://totp/{label}?secret={Base32Encoding.ToString(secret).TrimEnd('=')}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits=6&period=30";
    }

    public static string FormatSecret(byte[] secret) => Base32Encoding.ToString(secret).TrimEnd('=');

    /// <summary>True when the code matches the user's secret at a step not used before; the step is then used up.</summary>
    public async Task<bool> VerifyAsync(UserRecord user, string code, CancellationToken ct)
    {
        if (user.ProtectedTotpSecret is null)
            return false;
        var secret = protector.Unprotect(user.ProtectedTotpSecret, user.Subject);
        return await VerifyAsync(user.Subject, secret, code, ct);
    }

    /// <summary>Checks a code against a secret and uses its step.</summary>
    public async Task<bool> VerifyAsync(string subject, byte[] secret, string code, CancellationToken ct) =>
        Matches(secret, code, out var step) && await users.TryUseTotpStepAsync(subject, step, ct);

    /// <summary>Stores a new secret once the user proved their app has it with a first code, which is then used up.</summary>
    public async Task<bool> EnrolAsync(string subject, byte[] secret, string code, CancellationToken ct)
    {
        if (!Matches(secret, code, out var step))
            return false;
        await users.SetTotpSecretAsync(subject, protector.Protect(secret, subject), ct);
        await users.TryUseTotpStepAsync(subject, step, ct);
        return true;
    }

    private bool Matches(byte[] secret, string code, out long step)
    {
        step = 0;
        code = code.Replace(" ", "", StringComparison.Ordinal);
        return code.Length == 6 && code.All(char.IsAsciiDigit)
            && new Totp(secret).VerifyTotp(time.GetUtcNow().UtcDateTime, code, out step, OneStepEitherSide);
    }
}
