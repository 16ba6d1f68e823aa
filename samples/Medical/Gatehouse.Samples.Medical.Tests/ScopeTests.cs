using System.Net;

namespace Gatehouse.Samples.Medical.Tests;

/// <summary>Rules: each area needs its scope; the appointments app's tokens never read medical records.</summary>
public sealed class ScopeTests(MedicalApiFixture api) : IClassFixture<MedicalApiFixture>
{
    [Fact]
    public Task InsufficientScope_Returns403() =>
        SecurityReport.Check(Rules.ScopePerArea, "A doctor's token with only 'records' cannot use appointments: 403 insufficient_scope, scope=\"appointments\"", async () =>
        {
            using var response = await api.Send(HttpMethod.Get, "/appointments", api.Doctor("dr-alice", "cardiology", "st-mary").Scope("records"));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            Assert.StartsWith("error=\"insufficient_scope\"", challenge.Parameter);
            Assert.EndsWith("scope=\"appointments\"", challenge.Parameter);
        });

    [Fact]
    public Task RecordsScope_IsEnoughForRecords() =>
        SecurityReport.Check(Rules.ScopePerArea, "A doctor's token with 'records' reads records (control case)", () =>
            api.Get("/records/r-1", api.Doctor("dr-alice", "cardiology", "st-mary").Scope("records")).Status(HttpStatusCode.OK));

    [Fact]
    public Task DoctorsInTheAppointmentsApp_CannotAccessMedicalRecords() =>
        SecurityReport.Check(Rules.AppointmentsAppNoRecords, "Dr Alice through the appointments app reads her appointments but gets 403 on her own department's records", async () =>
        {
            var token = api.Doctor("dr-alice", "cardiology", "st-mary", "city-general").ClientId(MedicalApiFixture.AppointmentsApp).Scope("appointments");
            await api.Get("/appointments/a-1", token).Status(HttpStatusCode.OK);
            var byPatient = await api.Get("/patients/p-100/records", token).Status(HttpStatusCode.Forbidden);
            Assert.Equal("insufficient_scope", byPatient.GetProperty("error").GetString());
            await api.Get("/records/r-1", token).Status(HttpStatusCode.Forbidden);
        });

    [Fact]
    public Task TokenForTheAppointmentsApi_CannotReadRecordsEvenWithRecordsScope() =>
        SecurityReport.Check(Rules.AppointmentsAppNoRecords, "A token whose audience is another API is refused even if it carries 'records'", () =>
            api.Get("/records/r-1", api.Alice().ClientId(MedicalApiFixture.AppointmentsApp).Audience("appointments-api")).Status(HttpStatusCode.Unauthorized));
}

/// <summary>Rule: only doctors with a department and a hospital use the API.</summary>
public sealed class DoctorsOnlyTests(MedicalApiFixture api) : IClassFixture<MedicalApiFixture>
{
    [Fact]
    public Task NonDoctor_Returns403() =>
        SecurityReport.Check(Rules.DoctorsOnly, "A nurse's token with the right scopes gets 403", () =>
            api.Get("/appointments", api.Mock.Token().Subject("nurse-eve").Role("nurse").Claim("department", "cardiology").Claim("hospitals", "st-mary").Scope("appointments"))
                .Status(HttpStatusCode.Forbidden));

    [Fact]
    public Task ServiceToken_Returns403() =>
        SecurityReport.Check(Rules.DoctorsOnly, "A client-credentials token (no user, no role) gets 403", () =>
            api.Get("/appointments", api.Mock.Token().Subject("reporting-job").ClientId("reporting-job").Scope("appointments", "records")).Status(HttpStatusCode.Forbidden));

    [Fact]
    public Task DoctorWithoutDepartment_Returns403() =>
        SecurityReport.Check(Rules.DoctorsOnly, "A doctor's token without a department gets 403", () =>
            api.Get("/appointments", api.Alice().Without("department")).Status(HttpStatusCode.Forbidden));

    [Fact]
    public Task DoctorWithoutHospital_Returns403() =>
        SecurityReport.Check(Rules.DoctorsOnly, "A doctor's token without any hospital gets 403", () =>
            api.Get("/appointments", api.Alice().Without("hospitals")).Status(HttpStatusCode.Forbidden));
}
