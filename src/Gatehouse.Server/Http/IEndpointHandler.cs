using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Http;

/// <summary>One protocol endpoint: a singleton whose HandleAsync reads top to bottom (parse, authenticate, validate, act, respond).</summary>
public interface IEndpointHandler
{
    Task HandleAsync(HttpContext context);
}

public static class EndpointHandlerRouteExtensions
{
    public static IEndpointConventionBuilder MapHandler<T>(this IEndpointRouteBuilder routes, string method, string pattern) where T : IEndpointHandler =>
        routes.MapMethods(pattern, [method], (RequestDelegate)(context => context.RequestServices.GetRequiredService<T>().HandleAsync(context)));
}
