using Gatehouse.Server.Configuration;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Tests.Keys;

public class KeyScheduleTests
{
    private const long Day = 86_400;
    private static readonly KeySchedule Schedule = new(
        new KeyOptions { RotationPeriod = TimeSpan.FromDays(30), PublishAhead = TimeSpan.FromDays(1) }, TimeSpan.FromMinutes(15));

    private static SigningKeyRecord Key(string kid, long activates, long retires) => new()
    {
        Kid = kid, Algorithm = "ES256", ProtectedPrivateKey = [], PublicJwk = "{}",
        ActivatesAt = activates, RetiresAt = retires, ExpiresAt = Schedule.ExpiryAfterRetirement(retires),
    };

    [Fact]
    public void NoKeys_CreateOneActiveNow() => Assert.Equal(1000, Schedule.NextKeyToCreate([], 1000));

    [Fact]
    public void ActiveKeyFarFromRetirement_NothingToDo() =>
        Assert.Null(Schedule.NextKeyToCreate([Key("a", 0, 30 * Day)], 10 * Day));

    [Fact]
    public void ActiveKeyWithinPublishAhead_NextKeyActivatesAtItsRetirement() =>
        Assert.Equal(30 * Day, Schedule.NextKeyToCreate([Key("a", 0, 30 * Day)], 29 * Day + 1));

    [Fact]
    public void NextKeyAlreadyPublished_NothingToDo() =>
        Assert.Null(Schedule.NextKeyToCreate([Key("a", 0, 30 * Day), Key("b", 30 * Day, 60 * Day)], 29 * Day + 1));

    [Fact]
    public void EveryKeyRetired_CreateOneActiveNow() =>
        Assert.Equal(100 * Day, Schedule.NextKeyToCreate([Key("a", 0, 30 * Day)], 100 * Day));

    [Fact]
    public void Active_IsLatestActivatedUnretiredKey()
    {
        var keys = new[] { Key("a", 0, 30 * Day), Key("b", 30 * Day, 60 * Day), Key("c", 60 * Day, 90 * Day) };
        Assert.Equal("a", KeySchedule.Active(keys, 30 * Day - 1)!.Kid);
        Assert.Equal("b", KeySchedule.Active(keys, 30 * Day)!.Kid);
        Assert.Equal("c", KeySchedule.Pending(keys, 30 * Day)!.Kid);
    }

    [Fact]
    public void RetiredKey_StaysPublishedForLongestTokenLifetimePlusSkew() =>
        Assert.Equal(30 * Day + 15 * 60 + 5 * 60, Schedule.ExpiryAfterRetirement(30 * Day));
}
