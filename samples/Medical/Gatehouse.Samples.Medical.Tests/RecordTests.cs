using System.Net;

namespace Gatehouse.Samples.Medical.Tests;

/// <summary>Rule: doctors in a department see only that department's patient records, in hospitals where they work.</summary>
public sealed class RecordTests(MedicalApiFixture api) : IClassFixture<MedicalApiFixture>
{
    [Fact]
    public Task Doctors_SeeOnlyTheirDepartmentsRecordsOfAPatient() =>
        SecurityReport.Check(Rules.RecordsOfOwnDepartment, "For patient p-100, the cardiologist gets only the cardiology record and the oncologist only the oncology one", async () =>
        {
            Assert.Equal(["r-1"], (await api.Get("/patients/p-100/records", api.Alice()).Status(HttpStatusCode.OK)).Ids());
            Assert.Equal(["r-2"], (await api.Get("/patients/p-100/records", api.Carol()).Status(HttpStatusCode.OK)).Ids());
        });

    [Fact]
    public Task Doctors_SeeColleaguesRecordsInTheirDepartment() =>
        SecurityReport.Check(Rules.RecordsOfOwnDepartment, "Dr Alice reads a cardiology record written by Dr Bob at St Mary's", async () =>
            Assert.Equal("dr-bob", (await api.Get("/records/r-5", api.Alice()).Status(HttpStatusCode.OK)).GetProperty("authorId").GetString()));

    [Fact]
    public Task Doctors_CannotSeeRecordsOfPatientsInOtherHospitals() =>
        SecurityReport.Check(Rules.RecordsOfOwnDepartment, "Dr Bob (St Mary's) cannot list City General patient p-200's records (404); Dr Alice, who works there, can", async () =>
        {
            await api.Get("/patients/p-200/records", api.Bob()).Status(HttpStatusCode.NotFound);
            await api.Get("/records/r-3", api.Bob()).Status(HttpStatusCode.NotFound);
            Assert.Equal(["r-3"], (await api.Get("/patients/p-200/records", api.Alice()).Status(HttpStatusCode.OK)).Ids());
        });
}
