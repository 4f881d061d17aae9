using System.Threading.RateLimiting;
using Resilience.Bulkhead;
using Resilience.DeadLetter;

namespace Resilience.AspNetCore;

/// <summary>
/// Options of the operator endpoints that <c>MapResilienceAdmin</c> maps.
/// </summary>
public sealed class ResilienceAdminOptions
{
    /// <summary>The name of the rate limiting policy on every mutating endpoint (per user).</summary>
    public const string RateLimiterPolicy = "Resilience.Admin.Mutations";

    /// <summary>
    /// Gets or sets how many mutating calls (POST, DELETE) one user may make per minute; past it they get 429.
    /// </summary>
    /// <value>The default value is 60.</value>
    public int MutationsPerMinute { get; set; } = 60;

    /// <summary>
    /// Gets or sets the fastest a replay of matching dead letters may start entries, per second. A request may ask for
    /// less (<c>rate</c>), never more.
    /// </summary>
    /// <value>The default value is 10.</value>
    public double MaxReplayPerSecond { get; set; } = 10;

    /// <summary>Gets or sets the largest page of dead letters a query returns.</summary>
    /// <value>The default value is 500.</value>
    public int MaxPageSize { get; set; } = 500;

    /// <summary>
    /// Gets or sets the hook that shows a dead letter's payload to an operator: it returns the text to show (redacted
    /// as you need), or <see langword="null"/> to hide it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: payloads are never shown.</value>
    public Func<DeadLetterEntry, string?>? RevealPayload { get; set; }

    /// <summary>
    /// Gets the bulkheads to list besides the <see cref="SharedBulkhead"/> keyed singletons of the container.
    /// </summary>
    public IList<SharedBulkhead> Bulkheads { get; } = [];

    /// <summary>Gets the rate limiters to list, by name (their statistics: available permits, queued, rejected).</summary>
    public IDictionary<string, RateLimiter> RateLimiters { get; } = new Dictionary<string, RateLimiter>(StringComparer.Ordinal);
}
