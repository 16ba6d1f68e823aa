namespace Gatehouse.Workload.Registration;

/// <summary>An entry matches a workload when every one of its selectors is among the workload's selectors.</summary>
public static class RegistrationEntryMatcher
{
    public static bool Matches(RegistrationEntry entry, IReadOnlySet<Selector> workloadSelectors) =>
        entry.Selectors.All(workloadSelectors.Contains);

    public static IReadOnlyList<RegistrationEntry> Match(IEnumerable<RegistrationEntry> entries, IEnumerable<Selector> workloadSelectors)
    {
        var set = workloadSelectors as IReadOnlySet<Selector> ?? workloadSelectors.ToHashSet();
        return entries.Where(e => Matches(e, set)).ToArray();
    }
}
