using Gatehouse.AspNetCore;
using Gatehouse.Samples.Medical.Domain;
using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Samples.Medical.Endpoints;

internal static class MedicalPolicies
{
    public const string Doctor = "doctor";

    /// <summary>The "doctor" policy: role doctor, and a department and at least one hospital in the token.</summary>
    public static void Add(AuthorizationOptions options) =>
        options.AddPolicy(Doctor, p => p
            .RequireAuthenticatedUser()
            .RequireRole("doctor")
            .RequireAssertion(ctx => Domain.Doctor.From(GatehousePrincipal.From(ctx.User)) is not null));
}
