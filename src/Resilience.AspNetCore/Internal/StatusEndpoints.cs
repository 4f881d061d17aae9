using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Resilience.CircuitBreaker;
using Resilience.DeadLetter;
using Resilience.Recovery;

namespace Resilience.AspNetCore.Internal;

/// <summary>The overview, bulkheads and rate limiters.</summary>
internal static class StatusEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/status", Status).WithName("Resilience.Status").Produces<StatusDto>();
        api.MapGet("/bulkheads", Bulkheads).WithName("Resilience.Bulkheads.List").Produces<IReadOnlyList<BulkheadDto>>();
        api.MapGet("/rate-limiters", RateLimiters).WithName("Resilience.RateLimiters.List").Produces<IReadOnlyList<RateLimiterDto>>();
    }

    public static DeadLetterStatisticsDto Statistics(DeadLetterStatistics s) => new(
        s.TotalFailed,
        s.Pending,
        s.Exhausted,
        s.Recovered,
        s.Discarded,
        s.ByStatus.GetValueOrDefault(DeadLetterStatus.Archived),
        s.SizeBytes,
        s.OldestPendingAge?.TotalSeconds);

    private static IResult Status(HttpContext context)
    {
        var services = AdminServices.Of(context);
        var byState = Enum.GetNames<CircuitState>().ToDictionary(name => name, _ => 0, StringComparer.Ordinal);
        foreach (var breaker in AdminServices.Breakers(context)?.Breakers ?? [])
        {
            byState[breaker.State.ToString()]++;
        }

        var workflows = services.Workflows(context);
        var dto = new StatusDto(
            (context.RequestServices.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System).GetUtcNow(),
            byState,
            services.Bulkheads(context).Count,
            AdminServices.Options(context).RateLimiters.Count,
            AdminServices.DeadLetters(context) is { } queue ? Statistics(queue.GetStatistics()) : null,
            AdminServices.Compensations(context)?.GetStatistics().PendingOperations,
            workflows.Count,
            workflows.Count(w => w.State == RecoveryRunState.InProgress));
        return TypedResults.Json(dto, AdminJsonContext.Default.StatusDto);
    }

    private static IResult Bulkheads(HttpContext context)
    {
        IReadOnlyList<BulkheadDto> list = [.. AdminServices.Of(context).Bulkheads(context).Select(b => new BulkheadDto(b.Name, b.InUse, b.Queued, b.Available, b.MaxConcurrency))];
        return TypedResults.Json(list, AdminJsonContext.Default.IReadOnlyListBulkheadDto);
    }

    private static IResult RateLimiters(HttpContext context)
    {
        IReadOnlyList<RateLimiterDto> list = [.. AdminServices.Options(context).RateLimiters
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => Describe(pair.Key, pair.Value.GetStatistics()))];
        return TypedResults.Json(list, AdminJsonContext.Default.IReadOnlyListRateLimiterDto);
    }

    private static RateLimiterDto Describe(string name, RateLimiterStatistics? s)
        => new(name, s?.CurrentAvailablePermits, s?.CurrentQueuedCount, s?.TotalSuccessfulLeases, s?.TotalFailedLeases);
}
