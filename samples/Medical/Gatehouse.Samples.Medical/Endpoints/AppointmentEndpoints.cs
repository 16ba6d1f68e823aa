using Gatehouse.AspNetCore.Authorization;
using Gatehouse.Samples.Medical.Domain;

namespace Gatehouse.Samples.Medical.Endpoints;

public sealed record AppointmentView(string Id, string HospitalId, string Department, string DoctorId, string PatientId, DateTimeOffset StartsAt, string Status)
{
    public static AppointmentView Of(Appointment a) => new(a.Id, a.HospitalId, a.Department, a.DoctorId, a.PatientId, a.StartsAt, a.Status);
}

public sealed record NewAppointment(string? HospitalId, string? PatientId, DateTimeOffset? StartsAt, string? DoctorId);

public sealed record AppointmentChange(DateTimeOffset? StartsAt, string? PatientId);

/// <summary>/appointments: scope <c>appointments</c>, doctors only. Rules are in <see cref="Doctor"/>.</summary>
internal static class AppointmentEndpoints
{
    public const string Scope = "appointments";

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/appointments").RequireScope(Scope).RequireAuthorization(MedicalPolicies.Doctor);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPost("/", Create);
        group.MapPut("/{id}", Change);
        group.MapDelete("/{id}", Cancel);
    }

    /// <summary>Appointments of the caller's department in the hospitals where they work, optionally one hospital.</summary>
    private static IResult List(Doctor doctor, MedicalStore store, string? hospital) =>
        hospital is not null && !doctor.WorksIn(hospital)
            ? Problems.NotFound("hospital")
            : Results.Ok(store.Appointments().Where(doctor.CanSee).Where(a => hospital is null || a.HospitalId == hospital).Select(AppointmentView.Of));

    private static IResult Get(string id, Doctor doctor, MedicalStore store) =>
        store.FindAppointment(id) is { } a && doctor.CanSee(a) ? Results.Ok(AppointmentView.Of(a)) : Problems.NotFound("appointment");

    /// <summary>A doctor books only for themselves, in a hospital where they work, for a patient of that hospital, in their department.</summary>
    private static IResult Create(NewAppointment request, Doctor doctor, MedicalStore store)
    {
        if (request.HospitalId is null || request.PatientId is null || request.StartsAt is null)
            return Problems.BadRequest("hospitalId, patientId and startsAt are required.");
        if (request.DoctorId is not null && request.DoctorId != doctor.Id)
            return Problems.NotYours("Doctors create appointments only for themselves.");
        if (!doctor.WorksIn(request.HospitalId))
            return Problems.NotFound("hospital");
        if (!store.Patients.TryGetValue(request.PatientId, out var patient) || patient.HospitalId != request.HospitalId)
            return Problems.NotFound("patient");
        var created = store.Add(id => new Appointment(id, request.HospitalId, doctor.Department, doctor.Id, patient.Id, request.StartsAt.Value, Appointment.Scheduled));
        return Results.Created($"/appointments/{created.Id}", AppointmentView.Of(created));
    }

    private static IResult Change(string id, AppointmentChange request, Doctor doctor, MedicalStore store)
    {
        if (store.FindAppointment(id) is not { } a || !doctor.CanSee(a))
            return Problems.NotFound("appointment");
        if (!doctor.CanChange(a))
            return Problems.NotYours("Doctors edit only their own appointments.");
        if (a.Status == Appointment.Cancelled)
            return Problems.BadRequest("A cancelled appointment cannot be changed.");
        if (request.PatientId is not null && (!store.Patients.TryGetValue(request.PatientId, out var patient) || patient.HospitalId != a.HospitalId))
            return Problems.NotFound("patient");
        var changed = a with { StartsAt = request.StartsAt ?? a.StartsAt, PatientId = request.PatientId ?? a.PatientId };
        store.Replace(changed);
        return Results.Ok(AppointmentView.Of(changed));
    }

    private static IResult Cancel(string id, Doctor doctor, MedicalStore store)
    {
        if (store.FindAppointment(id) is not { } a || !doctor.CanSee(a))
            return Problems.NotFound("appointment");
        if (!doctor.CanChange(a))
            return Problems.NotYours("Doctors cancel only their own appointments.");
        store.Replace(a with { Status = Appointment.Cancelled });
        return Results.NoContent();
    }
}
