using Gatehouse.AspNetCore;
using Gatehouse.Samples.Medical.Domain;
using Gatehouse.Samples.Medical.Endpoints;

var builder = WebApplication.CreateBuilder(args);

// Access tokens from Gatehouse (section "GatehouseApi": Authority, Audience, ...); every endpoint needs one by default.
builder.Services.AddGatehouseApi(builder.Configuration.GetSection(GatehouseApiOptions.SectionName));
builder.Services.AddAuthorization(MedicalPolicies.Add);
builder.Services.AddSingleton(_ => MedicalStore.Seeded());

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/health", () => "ok").AllowAnonymous();
AppointmentEndpoints.Map(app);
RecordEndpoints.Map(app);

app.Run();

public partial class Program;
