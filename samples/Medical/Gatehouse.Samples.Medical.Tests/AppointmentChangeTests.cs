using System.Net;

namespace Gatehouse.Samples.Medical.Tests;

/// <summary>Rules: doctors create appointments only for themselves, and edit or cancel only their own.</summary>
public sealed class AppointmentChangeTests(MedicalApiFixture api) : IClassFixture<MedicalApiFixture>
{
    private static readonly DateTimeOffset Monday = new(2030, 3, 11, 10, 0, 0, TimeSpan.Zero);

    private async Task<string> AliceBooks(string hospital = "st-mary", string patient = "p-101")
    {
        var created = await api.Send(HttpMethod.Post, "/appointments", api.Alice(), new { hospitalId = hospital, patientId = patient, startsAt = Monday })
            .Status(HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    [Fact]
    public Task Doctors_CanCreateAppointmentsForThemselves() =>
        SecurityReport.Check(Rules.CreateOnlyForThemselves, "Dr Alice books a patient at St Mary's; the appointment is hers, in her department, and her colleague sees it", async () =>
        {
            var id = await AliceBooks();
            var seen = await api.Get($"/appointments/{id}", api.Bob()).Status(HttpStatusCode.OK);
            Assert.Equal("dr-alice", seen.GetProperty("doctorId").GetString());
            Assert.Equal("cardiology", seen.GetProperty("department").GetString());
            Assert.Equal("st-mary", seen.GetProperty("hospitalId").GetString());
        });

    [Fact]
    public Task Doctors_CannotCreateAppointmentsForAnotherDoctor() =>
        SecurityReport.Check(Rules.CreateOnlyForThemselves, "Dr Alice cannot book an appointment for Dr Bob (403) and nothing is created", async () =>
        {
            var before = (await api.Get("/appointments", api.Bob()).Status(HttpStatusCode.OK)).Ids();
            await api.Send(HttpMethod.Post, "/appointments", api.Alice(), new { hospitalId = "st-mary", patientId = "p-101", startsAt = Monday, doctorId = "dr-bob" })
                .Status(HttpStatusCode.Forbidden);
            Assert.Equal(before, (await api.Get("/appointments", api.Bob()).Status(HttpStatusCode.OK)).Ids());
        });

    [Fact]
    public Task Doctors_CannotCreateAppointmentsInHospitalsWhereTheyDoNotWork() =>
        SecurityReport.Check(Rules.CreateOnlyForThemselves, "Dr Bob cannot book at City General, where he does not work (404)", () =>
            api.Send(HttpMethod.Post, "/appointments", api.Bob(), new { hospitalId = "city-general", patientId = "p-200", startsAt = Monday })
                .Status(HttpStatusCode.NotFound));

    [Fact]
    public Task Doctors_CanOnlyEditTheirOwnAppointments() =>
        SecurityReport.Check(Rules.ChangeOnlyOwn, "Dr Alice reschedules her own appointment (200) but not Dr Bob's, which she can see (403, unchanged)", async () =>
        {
            var id = await AliceBooks();
            var later = Monday.AddHours(3);
            var changed = await api.Send(HttpMethod.Put, $"/appointments/{id}", api.Alice(), new { startsAt = later }).Status(HttpStatusCode.OK);
            Assert.Equal(later, changed.GetProperty("startsAt").GetDateTimeOffset());

            var bobs = await api.Get("/appointments/a-2", api.Alice()).Status(HttpStatusCode.OK);
            await api.Send(HttpMethod.Put, "/appointments/a-2", api.Alice(), new { startsAt = later }).Status(HttpStatusCode.Forbidden);
            var after = await api.Get("/appointments/a-2", api.Bob()).Status(HttpStatusCode.OK);
            Assert.Equal(bobs.GetProperty("startsAt").GetDateTimeOffset(), after.GetProperty("startsAt").GetDateTimeOffset());
        });

    [Fact]
    public Task Doctors_CanOnlyCancelTheirOwnAppointments() =>
        SecurityReport.Check(Rules.ChangeOnlyOwn, "Dr Alice cancels her own appointment (204) but not Dr Bob's (403, still scheduled)", async () =>
        {
            var id = await AliceBooks();
            using (var cancelled = await api.Send(HttpMethod.Delete, $"/appointments/{id}", api.Alice()))
                Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);
            Assert.Equal("cancelled", (await api.Get($"/appointments/{id}", api.Alice()).Status(HttpStatusCode.OK)).GetProperty("status").GetString());

            await api.Send(HttpMethod.Delete, "/appointments/a-2", api.Alice()).Status(HttpStatusCode.Forbidden);
            Assert.Equal("scheduled", (await api.Get("/appointments/a-2", api.Bob()).Status(HttpStatusCode.OK)).GetProperty("status").GetString());
        });

    [Fact]
    public Task ExtraBodyFields_CannotMoveAnAppointment() =>
        SecurityReport.Check(Rules.NoIdTampering, "An edit that also sends hospitalId, department and doctorId changes none of them (no mass assignment)", async () =>
        {
            var id = await AliceBooks();
            var changed = await api.Send(HttpMethod.Put, $"/appointments/{id}", api.Alice(),
                new { startsAt = Monday.AddDays(1), hospitalId = "riverside", department = "oncology", doctorId = "dr-dave" }).Status(HttpStatusCode.OK);
            Assert.Equal("st-mary", changed.GetProperty("hospitalId").GetString());
            Assert.Equal("cardiology", changed.GetProperty("department").GetString());
            Assert.Equal("dr-alice", changed.GetProperty("doctorId").GetString());
        });
}
