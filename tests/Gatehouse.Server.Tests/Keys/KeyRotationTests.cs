using System.Security.Cryptography;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using static Gatehouse.Server.Tests.Hosting.OAuthRequests;

namespace Gatehouse.Server.Tests.Keys;

/// <summary>Scheduled rotation driven by the real background service and a fake clock.</summary>
public class KeyRotationTests
{
    private static Task<GatehouseTestHost> StartAsync() => GatehouseTestHost.StartAsync(s =>
    {
        s["Gatehouse:Keys:RotationPeriod"] = "1.00:00:00";
        s["Gatehouse:Keys:PublishAhead"] = "02:00:00";
        s["Gatehouse:Keys:CheckInterval"] = "00:01:00";
    });

    private static async Task<string[]> JwksKidsAsync(GatehouseTestHost host) =>
        (await JsonAsync(await host.Client.GetAsync("/jwks"))).GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToArray();

    private static async Task<string> SigningKidAsync(GatehouseTestHost host) =>
        new JsonWebToken(await TokenAsync(host.Client, "jwt-service", GatehouseTestHost.JwtServiceSecret)).Kid;

    /// <summary>Moves the fake clock and waits (in real time) until the background refresh has produced the expected state.</summary>
    private static async Task AdvanceUntilAsync(GatehouseTestHost host, TimeSpan by, Func<Task<bool>> condition)
    {
        host.Time.Advance(by);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The key ring did not reach the expected state.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task ScheduledRotation_PublishesBeforeSigning_AndKeepsOldKeyUntilItsTokensExpire()
    {
        await using var host = await StartAsync();
        var first = await SigningKidAsync(host);
        Assert.Equal([first], await JwksKidsAsync(host));

        // Within PublishAhead of retirement: the next key is published but does not sign yet.
        await AdvanceUntilAsync(host, TimeSpan.FromHours(22) + TimeSpan.FromMinutes(1), async () => (await JwksKidsAsync(host)).Length == 2);
        var kids = await JwksKidsAsync(host);
        var second = kids.Single(k => k != first);
        Assert.Equal(first, await SigningKidAsync(host));

        // At the first key's retirement the second one signs; the first still verifies.
        await AdvanceUntilAsync(host, TimeSpan.FromHours(2), async () => await SigningKidAsync(host) == second);
        Assert.Contains(first, await JwksKidsAsync(host));

        // Once every token the first key signed has expired (15 min + 5 min skew), it leaves the JWKS.
        await AdvanceUntilAsync(host, TimeSpan.FromMinutes(21), async () => !(await JwksKidsAsync(host)).Contains(first));
    }

    [Fact]
    public async Task TokensSignedBeforeRotation_StayActive()
    {
        await using var host = await StartAsync();
        var before = await TokenAsync(host.Client, "jwt-service", GatehouseTestHost.JwtServiceSecret);
        await host.Services.GetRequiredService<KeyManager>().RotateAsync(immediately: true, CancellationToken.None);
        var after = await TokenAsync(host.Client, "jwt-service", GatehouseTestHost.JwtServiceSecret);
        Assert.NotEqual(new JsonWebToken(before).Kid, new JsonWebToken(after).Kid);
        foreach (var token in new[] { before, after })
            Assert.True((await JsonAsync(await IntrospectAsync(host.Client, token))).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task PrivateKeys_AreEncryptedAtRest()
    {
        await using var host = await StartAsync();
        var record = (await host.Services.GetRequiredService<SigningKeyStore>().ListAsync(CancellationToken.None)).Single();
        // PKCS#8 starts with a DER SEQUENCE (0x30); AES-GCM output with its random nonce does not parse as a key.
        Assert.ThrowsAny<CryptographicException>(() => ECDsa.Create().ImportPkcs8PrivateKey(record.ProtectedPrivateKey, out _));
        Assert.ThrowsAny<CryptographicException>(() => new KeyProtector(RandomNumberGenerator.GetBytes(32)).Unprotect(record.ProtectedPrivateKey, record.Kid));
        var protector = host.Services.GetRequiredService<KeyProtector>();
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(record.ProtectedPrivateKey, "another-kid"));
        using var ec = ECDsa.Create();
        ec.ImportPkcs8PrivateKey(protector.Unprotect(record.ProtectedPrivateKey, record.Kid), out _);
        Assert.Equal(256, ec.KeySize);
    }
}
