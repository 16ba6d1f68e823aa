namespace Gatehouse.Samples.Medical.Domain;

/// <summary>
/// The sample's own small in-memory store, seeded with three hospitals. Deliberately dumb: it answers what is asked
/// and enforces nothing; every access rule lives in <see cref="Doctor"/> so it can be read in one place.
/// </summary>
public sealed class MedicalStore
{
    private readonly object sync = new();
    private readonly Dictionary<string, Appointment> appointments = new(StringComparer.Ordinal);
    private int nextAppointment = 100;

    public IReadOnlyDictionary<string, Hospital> Hospitals { get; }
    public IReadOnlyDictionary<string, Patient> Patients { get; }
    public IReadOnlyDictionary<string, MedicalRecord> Records { get; }

    public MedicalStore(IEnumerable<Hospital> hospitals, IEnumerable<Patient> patients, IEnumerable<MedicalRecord> records, IEnumerable<Appointment> seeded)
    {
        Hospitals = hospitals.ToDictionary(h => h.Id, StringComparer.Ordinal);
        Patients = patients.ToDictionary(p => p.Id, StringComparer.Ordinal);
        Records = records.ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var a in seeded)
            appointments[a.Id] = a;
    }

    public IReadOnlyList<Appointment> Appointments()
    {
        lock (sync)
            return appointments.Values.OrderBy(a => a.StartsAt).ThenBy(a => a.Id, StringComparer.Ordinal).ToArray();
    }

    public Appointment? FindAppointment(string id)
    {
        lock (sync)
            return appointments.GetValueOrDefault(id);
    }

    public Appointment Add(Func<string, Appointment> create)
    {
        lock (sync)
        {
            var appointment = create($"a-{nextAppointment++}");
            appointments.Add(appointment.Id, appointment);
            return appointment;
        }
    }

    public void Replace(Appointment appointment)
    {
        lock (sync)
            appointments[appointment.Id] = appointment;
    }

    /// <summary>The demo data described in the sample's README.</summary>
    public static MedicalStore Seeded()
    {
        var day = new DateTimeOffset(2030, 3, 4, 9, 0, 0, TimeSpan.Zero);
        return new MedicalStore(
            [new("st-mary", "St Mary's Hospital"), new("city-general", "City General"), new("riverside", "Riverside Clinic")],
            [new("p-100", "st-mary", "Ada Lovelace"), new("p-101", "st-mary", "Alan Turing"), new("p-200", "city-general", "Grace Hopper"), new("p-300", "riverside", "Edsger Dijkstra")],
            [
                new("r-1", "p-100", "st-mary", "cardiology", "dr-alice", "Echocardiogram normal."),
                new("r-2", "p-100", "st-mary", "oncology", "dr-carol", "Biopsy scheduled."),
                new("r-3", "p-200", "city-general", "cardiology", "dr-alice", "Beta blockers prescribed."),
                new("r-4", "p-300", "riverside", "cardiology", "dr-dave", "Stress test passed."),
                new("r-5", "p-101", "st-mary", "cardiology", "dr-bob", "Follow-up in six months."),
            ],
            [
                new("a-1", "st-mary", "cardiology", "dr-alice", "p-100", day, Domain.Appointment.Scheduled),
                new("a-2", "st-mary", "cardiology", "dr-bob", "p-101", day.AddHours(1), Domain.Appointment.Scheduled),
                new("a-3", "st-mary", "oncology", "dr-carol", "p-100", day.AddHours(2), Domain.Appointment.Scheduled),
                new("a-4", "city-general", "cardiology", "dr-alice", "p-200", day.AddDays(1), Domain.Appointment.Scheduled),
                new("a-5", "riverside", "cardiology", "dr-dave", "p-300", day.AddDays(2), Domain.Appointment.Scheduled),
            ]);
    }
}
