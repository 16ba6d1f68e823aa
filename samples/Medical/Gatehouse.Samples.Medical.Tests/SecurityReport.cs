using System.Diagnostics;

namespace Gatehouse.Samples.Medical.Tests;

/// <summary>The security rules of the sample, in plain language. Every test names the rule it checks.</summary>
public static class Rules
{
    public const string ValidTokensOnly = "Only a valid, current access token that Gatehouse issued for this API is accepted; anything else is 401.";
    public const string ScopePerArea = "Each area needs its own scope: 'appointments' for appointments, 'records' for medical records; without it, 403 insufficient_scope.";
    public const string AppointmentsAppNoRecords = "Tokens issued to the appointments app cannot read medical records, even for a doctor.";
    public const string DoctorsOnly = "Only doctors (role 'doctor', with a department and at least one hospital) use the API.";
    public const string SeeOwnDepartmentAndHospitals = "Doctors see appointments only for their own department, and only in hospitals where they work (colleagues' included).";
    public const string CreateOnlyForThemselves = "Doctors create appointments only for themselves, in hospitals where they work.";
    public const string ChangeOnlyOwn = "Doctors edit or cancel only their own appointments.";
    public const string RecordsOfOwnDepartment = "Doctors see only their own department's patient records, in hospitals where they work.";
    public const string NoIdTampering = "Changing an object id in the path or body never reveals or changes another department's or hospital's data: the answer is always 404.";

    public static readonly string[] All =
        [ValidTokensOnly, ScopePerArea, AppointmentsAppNoRecords, DoctorsOnly, SeeOwnDepartmentAndHospitals, CreateOnlyForThemselves, ChangeOnlyOwn, RecordsOfOwnDepartment, NoIdTampering];
}

/// <summary>
/// Records each security scenario's outcome and rewrites <c>artifacts/security-report.md</c> and <c>.html</c> at the
/// repository root after every scenario, so the report always matches the run that produced it.
/// </summary>
public static class SecurityReport
{
    private static readonly object Sync = new();
    private static readonly List<ScenarioOutcome> Outcomes = [];
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;

    /// <summary>Runs one scenario of <paramref name="rule"/>, records pass/fail, and rethrows a failure for xunit.</summary>
    public static async Task Check(string rule, string scenario, Func<Task> body, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await body();
            Record(new ScenarioOutcome(rule, scenario, test, true, null, watch.Elapsed));
        }
        catch (Exception e)
        {
            Record(new ScenarioOutcome(rule, scenario, test, false, e.Message.Split('\n')[0], watch.Elapsed));
            throw;
        }
    }

    private static void Record(ScenarioOutcome outcome)
    {
        lock (Sync)
        {
            Outcomes.Add(outcome);
            if (ArtifactsDirectory() is { } dir)
                new SecurityReportDocument(Rules.All, Outcomes, StartedAt).WriteTo(dir);
        }
    }

    private static string? ArtifactsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx")))
                return Path.Combine(dir.FullName, "artifacts");
        }
        return null;
    }
}
