using Gatehouse.AspNetCore;

namespace Gatehouse.Samples.Medical.Domain;

/// <summary>
/// The caller as the medical domain sees it, built from token claims: <c>sub</c> (the doctor), <c>department</c>, and
/// <c>hospitals</c> (one value or an array; a singular <c>hospital</c> claim counts too). Every data-access rule of the sample is a method here, so "who may see
/// what" is answered in one place and tested rule by rule.
/// </summary>
public sealed class Doctor
{
    public const string DepartmentClaim = "department";
    public const string HospitalsClaim = "hospitals";

    /// <summary>Also accepted: a single hospital, as the Gatehouse demo configuration releases it.</summary>
    public const string HospitalClaim = "hospital";

    private Doctor(string id, string department, IReadOnlySet<string> hospitals)
    {
        Id = id;
        Department = department;
        Hospitals = hospitals;
    }

    public string Id { get; }
    public string Department { get; }
    public IReadOnlySet<string> Hospitals { get; }

    /// <summary>Null unless the token carries a subject, a department and at least one hospital (the "doctor" policy checks this too).</summary>
    public static Doctor? From(GatehousePrincipal caller)
    {
        var department = caller.Claim(DepartmentClaim);
        var hospitals = caller.ClaimValues(HospitalsClaim).Concat(caller.ClaimValues(HospitalClaim)).Where(h => h.Length > 0).ToHashSet(StringComparer.Ordinal);
        if (caller.Subject.Length == 0 || string.IsNullOrEmpty(department) || hospitals.Count == 0)
            return null;
        return new Doctor(caller.Subject, department, hospitals);
    }

    /// <summary>Minimal-API binding: endpoints behind the "doctor" policy take a <see cref="Doctor"/> parameter.</summary>
    public static ValueTask<Doctor?> BindAsync(Microsoft.AspNetCore.Http.HttpContext context) =>
        ValueTask.FromResult(context.User.Identity?.IsAuthenticated == true ? From(GatehousePrincipal.From(context.User)) : null);

    /// <summary>Rule: a doctor works only in the hospitals listed in the token.</summary>
    public bool WorksIn(string hospitalId) => Hospitals.Contains(hospitalId);

    /// <summary>Rule: a doctor sees appointments of their own department, in hospitals where they work (colleagues' included).</summary>
    public bool CanSee(Appointment a) => a.Department == Department && WorksIn(a.HospitalId);

    /// <summary>Rule: a doctor edits or cancels only their own appointments.</summary>
    public bool CanChange(Appointment a) => CanSee(a) && a.DoctorId == Id;

    /// <summary>Rule: a doctor sees only their department's records, in hospitals where they work.</summary>
    public bool CanSee(MedicalRecord r) => r.Department == Department && WorksIn(r.HospitalId);

    /// <summary>Rule: a patient is reachable only through a hospital where the doctor works.</summary>
    public bool CanReach(Patient p) => WorksIn(p.HospitalId);
}
