using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Bulkhead;
using Resilience.CircuitBreaker;
using Resilience.Compensation;
using Resilience.DeadLetter;
using Resilience.Recovery;

namespace Resilience.AspNetCore.Internal;

/// <summary>
/// Finds what the endpoints show, each optional: an app without a dead letter queue still gets its breakers.
/// </summary>
/// <remarks>
/// Keyed singletons (bulkheads, recovery workflows) are found by their keys in the service collection and resolved
/// key by key, so the endpoints act on the very instances the app's pipelines use.
/// </remarks>
internal sealed class AdminServices(IServiceCollection services)
{
    private readonly IServiceCollection _services = services;

    public static AdminServices Of(HttpContext context) => context.RequestServices.GetRequiredService<AdminServices>();

    public static ResilienceAdminOptions Options(HttpContext context) => context.RequestServices.GetRequiredService<ResilienceAdminOptions>();

    public static CircuitBreakerRegistry? Breakers(HttpContext context) => context.RequestServices.GetService<CircuitBreakerRegistry>();

    public static DeadLetterQueue? DeadLetters(HttpContext context) => context.RequestServices.GetService<DeadLetterQueue>();

    public static CompensationManager? Compensations(HttpContext context) => context.RequestServices.GetService<CompensationManager>();

    public IReadOnlyList<SharedBulkhead> Bulkheads(HttpContext context)
    {
        var found = new List<SharedBulkhead>(Options(context).Bulkheads);
        foreach (var key in Keys<SharedBulkhead>())
        {
            if (context.RequestServices.GetKeyedService<SharedBulkhead>(key) is { } bulkhead && !found.Contains(bulkhead))
            {
                found.Add(bulkhead);
            }
        }

        return [.. found.OrderBy(b => b.Name, StringComparer.Ordinal)];
    }

    public IReadOnlyList<RecoveryWorkflow> Workflows(HttpContext context)
        => [.. Keys<RecoveryWorkflow>()
            .Select(key => context.RequestServices.GetKeyedService<RecoveryWorkflow>(key))
            .OfType<RecoveryWorkflow>()
            .Distinct()
            .OrderBy(w => w.Name, StringComparer.Ordinal)];

    private List<object> Keys<T>()
        => [.. _services.Where(d => d.ServiceType == typeof(T) && d.IsKeyedService && d.ServiceKey is not null).Select(d => d.ServiceKey!).Distinct()];
}
