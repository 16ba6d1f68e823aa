namespace Gatehouse.Workload.Ca;

public enum RotationStep
{
    /// <summary>Nothing to do yet.</summary>
    None,
    /// <summary>Half the current authority's life has passed: create (and publish) the next one.</summary>
    Prepare,
    /// <summary>Five sixths have passed and the next one is ready: make it current.</summary>
    Activate,
    /// <summary>Five sixths have passed with no next authority (e.g. the process was down): create and activate at once.</summary>
    PrepareAndActivate,
}

/// <summary>
/// When to rotate an authority (CA or JWT key) with lifetime [notBefore, notAfter): prepare its successor at ½
/// of the lifetime, so it is published in bundles long before use, and activate it at ⅚, leaving the last sixth
/// for SVIDs signed by the old one to expire. Pure functions.
/// </summary>
public static class CaRotationSchedule
{
    public static DateTimeOffset PrepareAt(DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        notBefore + (notAfter - notBefore) / 2;

    public static DateTimeOffset ActivateAt(DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        notBefore + TimeSpan.FromTicks((notAfter - notBefore).Ticks / 6 * 5 + (notAfter - notBefore).Ticks % 6 * 5 / 6);

    public static RotationStep NextStep(DateTimeOffset notBefore, DateTimeOffset notAfter, bool nextPrepared, DateTimeOffset now)
    {
        if (now >= ActivateAt(notBefore, notAfter))
            return nextPrepared ? RotationStep.Activate : RotationStep.PrepareAndActivate;
        if (now >= PrepareAt(notBefore, notAfter) && !nextPrepared)
            return RotationStep.Prepare;
        return RotationStep.None;
    }
}
