using System.Net;

namespace Gatehouse.Samples.Medical.Tests;

/// <summary>
/// Rule (OWASP API1, broken object-level authorization): changing an id in the path or body never reveals or changes
/// another department's or hospital's data, and the answer is always the same 404 as for an id that does not exist.
/// </summary>
public sealed class ObjectLevelAuthorizationTests(MedicalApiFixture api) : IClassFixture<MedicalApiFixture>
{
    private static readonly object Reschedule = new { startsAt = new DateTimeOffset(2031, 1, 1, 8, 0, 0, TimeSpan.Zero) };

    [Fact]
    public Task AnotherDepartmentsAppointmentId_Returns404_ForReadEditAndCancel() =>
        SecurityReport.Check(Rules.NoIdTampering, "Dr Alice (cardiology) puts oncology appointment a-3 in the path: read, edit and cancel are 404 and a-3 is unchanged", async () =>
        {
            var before = await api.Get("/appointments/a-3", api.Carol()).Status(HttpStatusCode.OK);
            await api.Get("/appointments/a-3", api.Alice()).Status(HttpStatusCode.NotFound);
            await api.Send(HttpMethod.Put, "/appointments/a-3", api.Alice(), Reschedule).Status(HttpStatusCode.NotFound);
            await api.Send(HttpMethod.Delete, "/appointments/a-3", api.Alice()).Status(HttpStatusCode.NotFound);
            var after = await api.Get("/appointments/a-3", api.Carol()).Status(HttpStatusCode.OK);
            Assert.Equal(before.ToString(), after.ToString());
        });

    [Fact]
    public Task AnotherHospitalsAppointmentId_Returns404_ForReadEditAndCancel() =>
        SecurityReport.Check(Rules.NoIdTampering, "Dr Bob (St Mary's) puts City General appointment a-4 in the path: read, edit and cancel are 404 and a-4 is unchanged", async () =>
        {
            var before = await api.Get("/appointments/a-4", api.Alice()).Status(HttpStatusCode.OK);
            await api.Get("/appointments/a-4", api.Bob()).Status(HttpStatusCode.NotFound);
            await api.Send(HttpMethod.Put, "/appointments/a-4", api.Bob(), Reschedule).Status(HttpStatusCode.NotFound);
            await api.Send(HttpMethod.Delete, "/appointments/a-4", api.Bob()).Status(HttpStatusCode.NotFound);
            Assert.Equal(before.ToString(), (await api.Get("/appointments/a-4", api.Alice()).Status(HttpStatusCode.OK)).ToString());
        });

    [Fact]
    public Task ForeignIds_AreIndistinguishableFromMissingOnes() =>
        SecurityReport.Check(Rules.NoIdTampering, "A foreign appointment, record or patient gets the very same 404 body as one that does not exist", async () =>
        {
            Assert.Equal((await api.Get("/appointments/a-does-not-exist", api.Alice()).Status(HttpStatusCode.NotFound)).ToString(),
                         (await api.Get("/appointments/a-5", api.Alice()).Status(HttpStatusCode.NotFound)).ToString());
            Assert.Equal((await api.Get("/records/r-does-not-exist", api.Alice()).Status(HttpStatusCode.NotFound)).ToString(),
                         (await api.Get("/records/r-2", api.Alice()).Status(HttpStatusCode.NotFound)).ToString());
            Assert.Equal((await api.Get("/patients/p-does-not-exist/records", api.Alice()).Status(HttpStatusCode.NotFound)).ToString(),
                         (await api.Get("/patients/p-300/records", api.Alice()).Status(HttpStatusCode.NotFound)).ToString());
        });

    [Fact]
    public Task AnotherHospitalsPatientIdInBody_Returns404() =>
        SecurityReport.Check(Rules.NoIdTampering, "A patient of another hospital in the body (booking or editing) is 404 and changes nothing", async () =>
        {
            await api.Send(HttpMethod.Post, "/appointments", api.Bob(), new { hospitalId = "st-mary", patientId = "p-200", startsAt = DateTimeOffset.UnixEpoch })
                .Status(HttpStatusCode.NotFound);
            await api.Send(HttpMethod.Put, "/appointments/a-1", api.Alice(), new { patientId = "p-300" }).Status(HttpStatusCode.NotFound);
            Assert.Equal("p-100", (await api.Get("/appointments/a-1", api.Alice()).Status(HttpStatusCode.OK)).GetProperty("patientId").GetString());
        });

    [Fact]
    public Task AnotherHospitalIdInBody_Returns404() =>
        SecurityReport.Check(Rules.NoIdTampering, "A hospital where the doctor does not work, in the body of a booking, is 404", () =>
            api.Send(HttpMethod.Post, "/appointments", api.Bob(), new { hospitalId = "riverside", patientId = "p-300", startsAt = DateTimeOffset.UnixEpoch })
                .Status(HttpStatusCode.NotFound));

    [Fact]
    public Task AnotherDepartmentsOrHospitalsRecordId_Returns404() =>
        SecurityReport.Check(Rules.NoIdTampering, "Dr Alice puts an oncology record, a Riverside record or a Riverside patient in the path: 404", async () =>
        {
            await api.Get("/records/r-2", api.Alice()).Status(HttpStatusCode.NotFound);
            await api.Get("/records/r-4", api.Alice()).Status(HttpStatusCode.NotFound);
            await api.Get("/patients/p-300/records", api.Alice()).Status(HttpStatusCode.NotFound);
        });
}
