using Gatehouse.AspNetCore;
using Gatehouse.Samples.Medical.Domain;
using Gatehouse.Samples.Medical.Endpoints;

namespace Gatehouse.Samples.Medical;

/// <summary>The Medical API's composition, shared by its own Program and by <c>gatehouse up</c>, which hosts it beside the server.</summary>
public static class MedicalApi
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
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
        return app;
    }
}
