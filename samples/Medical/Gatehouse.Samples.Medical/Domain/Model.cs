namespace Gatehouse.Samples.Medical.Domain;

public sealed record Hospital(string Id, string Name);

public sealed record Patient(string Id, string HospitalId, string Name);

public sealed record MedicalRecord(string Id, string PatientId, string HospitalId, string Department, string AuthorId, string Note);

public sealed record Appointment(string Id, string HospitalId, string Department, string DoctorId, string PatientId, DateTimeOffset StartsAt, string Status)
{
    public const string Scheduled = "scheduled";
    public const string Cancelled = "cancelled";
}
