using Gatehouse.AspNetCore.Authorization;
using Gatehouse.Samples.Medical.Domain;

namespace Gatehouse.Samples.Medical.Endpoints;

public sealed record RecordView(string Id, string PatientId, string HospitalId, string Department, string AuthorId, string Note)
{
    public static RecordView Of(MedicalRecord r) => new(r.Id, r.PatientId, r.HospitalId, r.Department, r.AuthorId, r.Note);
}

/// <summary>
/// Medical records: scope <c>records</c>, which the appointments app is never granted, so its tokens cannot read
/// records even for a doctor. Doctors see their own department's records in hospitals where they work.
/// </summary>
internal static class RecordEndpoints
{
    public const string Scope = "records";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/patients/{patientId}/records", ForPatient).RequireScope(Scope).RequireAuthorization(MedicalPolicies.Doctor);
        app.MapGet("/records/{id}", Get).RequireScope(Scope).RequireAuthorization(MedicalPolicies.Doctor);
    }

    private static IResult ForPatient(string patientId, Doctor doctor, MedicalStore store) =>
        store.Patients.TryGetValue(patientId, out var patient) && doctor.CanReach(patient)
            ? Results.Ok(store.Records.Values.Where(r => r.PatientId == patientId && doctor.CanSee(r)).OrderBy(r => r.Id, StringComparer.Ordinal).Select(RecordView.Of))
            : Problems.NotFound("patient");

    private static IResult Get(string id, Doctor doctor, MedicalStore store) =>
        store.Records.TryGetValue(id, out var record) && doctor.CanSee(record) ? Results.Ok(RecordView.Of(record)) : Problems.NotFound("record");
}
