using Gatehouse.Workload.Ca;

namespace Gatehouse.Workload.Tests;

public class CaRotationScheduleTests
{
    private static readonly DateTimeOffset NotBefore = TestPki.Start;
    private static readonly DateTimeOffset NotAfter = TestPki.Start.AddHours(24);

    [Fact]
    public void PrepareAt_IsHalfTheLifetime() => Assert.Equal(NotBefore.AddHours(12), CaRotationSchedule.PrepareAt(NotBefore, NotAfter));

    [Fact]
    public void ActivateAt_IsFiveSixthsOfTheLifetime() => Assert.Equal(NotBefore.AddHours(20), CaRotationSchedule.ActivateAt(NotBefore, NotAfter));

    [Fact]
    public void ActivateAt_OddTicks_StaysWithinLifetime()
    {
        var notAfter = NotBefore + TimeSpan.FromTicks(7);
        Assert.Equal(NotBefore + TimeSpan.FromTicks(5), CaRotationSchedule.ActivateAt(NotBefore, notAfter));
    }

    public static TheoryData<double, bool, RotationStep> Steps => new()
    {
        // hours since notBefore, next prepared?, expected
        { 0, false, RotationStep.None },
        { 11.99, false, RotationStep.None },
        { 12, false, RotationStep.Prepare },
        { 12, true, RotationStep.None },
        { 19.99, true, RotationStep.None },
        { 20, true, RotationStep.Activate },
        { 20, false, RotationStep.PrepareAndActivate },
        { 30, false, RotationStep.PrepareAndActivate },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void NextStep_FollowsSchedule(double hours, bool nextPrepared, RotationStep expected) =>
        Assert.Equal(expected, CaRotationSchedule.NextStep(NotBefore, NotAfter, nextPrepared, NotBefore.AddHours(hours)));
}
