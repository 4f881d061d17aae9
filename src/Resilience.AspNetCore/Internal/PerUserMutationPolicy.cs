using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Resilience.AspNetCore.Internal;

/// <summary>
/// A fixed window of mutating calls per user (per remote address for anonymous callers in Development); a rejected
/// call gets a 429 problem.
/// </summary>
internal sealed class PerUserMutationPolicy(int perMinute) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => (context, _) =>
    {
        var http = context.HttpContext;
        TimeSpan? retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;
        if (retryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new ValueTask(AdminProblems.Write(http, StatusCodes.Status429TooManyRequests, "Too many operator actions", $"At most {perMinute} mutating calls per minute per user (ResilienceAdminOptions.MutationsPerMinute)."));
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
        => RateLimitPartition.GetFixedWindowLimiter(AdminUser.Of(httpContext), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
