// The API that bench/api-run measures: the same handler mapped twice.
//   GET /open/appointments      AllowAnonymous; the rule is applied to a fixed principal built once at startup.
//   GET /secured/appointments   AddGatehouseApi (JWT validation, JWKS fetched over HTTP) + RequireScope("appointments");
//                               the rule reads department and hospitals from the caller's GatehousePrincipal.
// Built like the hello ceiling (slim builder, quiet logging, no config-reload watcher needed: pass settings as arguments).
// Usage: dotnet gatehouse-bench-api.dll --urls http://127.0.0.1:PORT \
//          --GatehouseApi:Authority=http://127.0.0.1:JWKS_PORT --GatehouseApi:Audience=bench-api
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.AspNetCore;
using Gatehouse.AspNetCore.Authorization;
using Gatehouse.Bench.Api;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, BenchJsonContext.Default));
builder.Services.AddGatehouseApi(builder.Configuration.GetSection(GatehouseApiOptions.SectionName));

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

var fixedCaller = GatehousePrincipal.From(new ClaimsPrincipal(new ClaimsIdentity(
    [
        new Claim("sub", "dr-alice"), new Claim("client_id", "bench"), new Claim("scope", "appointments"),
        new Claim("department", "cardiology"), new Claim("hospitals", "st-mary"), new Claim("hospitals", "city-general"),
    ], authenticationType: "fixed", nameType: "sub", roleType: "roles")));

app.MapGet("/open/appointments", () => Appointments.Visible(fixedCaller)).AllowAnonymous();
app.MapGet("/secured/appointments", (GatehousePrincipal caller) => Appointments.Visible(caller)).RequireScope("appointments");
app.Run();

namespace Gatehouse.Bench.Api
{
    public sealed record Appointment(string Id, string Department, string HospitalId, string DoctorId, DateTimeOffset StartsAt);

    public static class Appointments
    {
        private static readonly Appointment[] All =
        [
            new("a-1", "cardiology", "st-mary", "dr-alice", new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero)),
            new("a-2", "cardiology", "city-general", "dr-bob", new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero)),
            new("a-3", "cardiology", "north-clinic", "dr-carol", new DateTimeOffset(2026, 12, 1, 11, 0, 0, TimeSpan.Zero)),
            new("a-4", "oncology", "st-mary", "dr-dave", new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero)),
            new("a-5", "oncology", "city-general", "dr-erin", new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero)),
            new("a-6", "neurology", "st-mary", "dr-frank", new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero)),
            new("a-7", "cardiology", "st-mary", "dr-bob", new DateTimeOffset(2026, 12, 3, 14, 0, 0, TimeSpan.Zero)),
            new("a-8", "pediatrics", "north-clinic", "dr-gina", new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero)),
        ];

        /// <summary>The one rule: same department as the caller, in one of the caller's hospitals.</summary>
        public static IResult Visible(GatehousePrincipal caller)
        {
            var department = caller.Claim("department");
            var hospitals = caller.ClaimValues("hospitals");
            var visible = new List<Appointment>(All.Length);
            foreach (var a in All)
            {
                if (a.Department == department && hospitals.Contains(a.HospitalId))
                    visible.Add(a);
            }
            return TypedResults.Ok(visible);
        }
    }

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(List<Appointment>))]
    internal sealed partial class BenchJsonContext : JsonSerializerContext;
}
