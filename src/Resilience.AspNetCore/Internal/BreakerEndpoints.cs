using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Resilience.CircuitBreaker;

namespace Resilience.AspNetCore.Internal;

/// <summary>Circuit breakers of the container's <see cref="CircuitBreakerRegistry"/>: list, get, isolate, close.</summary>
internal static class BreakerEndpoints
{
    private const int MaxNameLength = 256;

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/breakers", List).WithName("Resilience.Breakers.List").Produces<IReadOnlyList<BreakerDto>>();
        api.MapGet("/breakers/{name}", Get).WithName("Resilience.Breakers.Get").Produces<BreakerDto>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/breakers/{name}/isolate", (HttpContext context, string name) => ChangeAsync(context, name, "breaker.isolate", b => b.IsolateAsync(context.RequestAborted)))
            .WithName("Resilience.Breakers.Isolate").Produces<BreakerDto>().ProducesProblem(StatusCodes.Status404NotFound).AsMutation();
        api.MapPost("/breakers/{name}/close", (HttpContext context, string name) => ChangeAsync(context, name, "breaker.close", b => b.CloseAsync(context.RequestAborted)))
            .WithName("Resilience.Breakers.Close").Produces<BreakerDto>().ProducesProblem(StatusCodes.Status404NotFound).AsMutation();
    }

    public static BreakerDto Describe(SharedCircuitBreaker breaker) => new(
        breaker.Name,
        breaker.State.ToString(),
        breaker.TimeUntilHalfOpen?.TotalSeconds,
        breaker.LastFailure?.GetType().FullName,
        breaker.LastFailure?.Message);

    private static IResult List(HttpContext context)
    {
        IReadOnlyList<BreakerDto> list = [.. (AdminServices.Breakers(context)?.Breakers ?? []).Select(Describe)];
        return TypedResults.Json(list, AdminJsonContext.Default.IReadOnlyListBreakerDto);
    }

    private static IResult Get(HttpContext context, string name)
        => Find(context, name, out var breaker, out var problem) ? TypedResults.Json(Describe(breaker!), AdminJsonContext.Default.BreakerDto) : problem!;

    private static async Task<IResult> ChangeAsync(HttpContext context, string name, string action, Func<SharedCircuitBreaker, Task> change)
    {
        if (!Find(context, name, out var breaker, out var problem))
        {
            return problem!;
        }

        await change(breaker!).ConfigureAwait(false);
        AdminMutation.Audit(context, action, "breaker:" + name, 1);
        return TypedResults.Json(Describe(breaker!), AdminJsonContext.Default.BreakerDto);
    }

    private static bool Find(HttpContext context, string name, out SharedCircuitBreaker? breaker, out IResult? problem)
    {
        breaker = null;
        problem = null;
        if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            problem = AdminProblems.BadRequest($"'{name[..Math.Min(name.Length, 40)]}' is not a breaker name (at most {MaxNameLength} printable characters).");
            return false;
        }

        if (AdminServices.Breakers(context) is not { } registry || !registry.TryGet(name, out breaker))
        {
            problem = AdminProblems.NotFound($"No circuit breaker is named '{name}'.");
            return false;
        }

        return true;
    }
}
