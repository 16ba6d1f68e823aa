using System.Net;

namespace Gatehouse.Samples.Medical.Tests;

/// <summary>Rule: doctors see appointments of their own department, only in hospitals where they work. Read-only cases.</summary>
public sealed class AppointmentVisibilityTests(MedicalApiFixture api) : IClassFixture<MedicalApiFixture>
{
    [Fact]
    public Task Doctors_CanViewAppointmentsForColleaguesInTheSameDepartment() =>
        SecurityReport.Check(Rules.SeeOwnDepartmentAndHospitals, "Dr Bob (cardiology, St Mary's) sees Dr Alice's cardiology appointment at St Mary's", async () =>
        {
            var a1 = await api.Get("/appointments/a-1", api.Bob()).Status(HttpStatusCode.OK);
            Assert.Equal("dr-alice", a1.GetProperty("doctorId").GetString());
            Assert.Contains("a-1", (await api.Get("/appointments", api.Bob()).Status(HttpStatusCode.OK)).Ids());
        });

    [Fact]
    public Task Doctors_ListOnlyTheirDepartmentInTheirHospitals() =>
        SecurityReport.Check(Rules.SeeOwnDepartmentAndHospitals, "Each doctor's list holds exactly their department's appointments in their hospitals", async () =>
        {
            Assert.Equal(["a-1", "a-2", "a-4"], (await api.Get("/appointments", api.Alice()).Status(HttpStatusCode.OK)).Ids());
            Assert.Equal(["a-1", "a-2"], (await api.Get("/appointments", api.Bob()).Status(HttpStatusCode.OK)).Ids());
            Assert.Equal(["a-3"], (await api.Get("/appointments", api.Carol()).Status(HttpStatusCode.OK)).Ids());
            Assert.Equal(["a-4"], (await api.Get("/appointments?hospital=city-general", api.Alice()).Status(HttpStatusCode.OK)).Ids());
        });

    [Fact]
    public Task Doctors_CannotViewAnotherDepartmentsAppointments() =>
        SecurityReport.Check(Rules.SeeOwnDepartmentAndHospitals, "An oncologist cannot open a cardiology appointment in her own hospital, nor the reverse (404)", async () =>
        {
            await api.Get("/appointments/a-1", api.Carol()).Status(HttpStatusCode.NotFound);
            await api.Get("/appointments/a-3", api.Alice()).Status(HttpStatusCode.NotFound);
        });

    [Fact]
    public Task Doctors_CannotViewAppointmentsInHospitalsWhereTheyDoNotWork() =>
        SecurityReport.Check(Rules.SeeOwnDepartmentAndHospitals, "A cardiologist cannot open or list cardiology appointments of a hospital where she does not work (404)", async () =>
        {
            await api.Get("/appointments/a-5", api.Alice()).Status(HttpStatusCode.NotFound);
            await api.Get("/appointments/a-4", api.Bob()).Status(HttpStatusCode.NotFound);
            await api.Get("/appointments?hospital=riverside", api.Alice()).Status(HttpStatusCode.NotFound);
        });

    [Fact]
    public Task HospitalsFromTheToken_AreTheOnlySource() =>
        SecurityReport.Check(Rules.SeeOwnDepartmentAndHospitals, "The same doctor id with fewer hospitals in the token sees fewer appointments", async () =>
        {
            var stMaryOnly = api.Doctor("dr-alice", "cardiology", "st-mary").Scope("appointments");
            Assert.Equal(["a-1", "a-2"], (await api.Get("/appointments", stMaryOnly).Status(HttpStatusCode.OK)).Ids());
        });

    [Fact]
    public Task SingularHospitalClaim_IsHonouredTheSameWay() =>
        SecurityReport.Check(Rules.SeeOwnDepartmentAndHospitals, "A token with a single 'hospital' claim (as the Gatehouse demo releases it) sees that hospital only", async () =>
        {
            var token = api.Mock.Token().Subject("dr-bob").ClientId(MedicalApiFixture.PortalApp).Role("doctor")
                .Claim("department", "cardiology").Claim("hospital", "city-general").Scope("appointments");
            Assert.Equal(["a-4"], (await api.Get("/appointments", token).Status(HttpStatusCode.OK)).Ids());
        });
}
