using System.Threading.RateLimiting;

namespace Resilience.RateLimiting;

/// <summary>
/// The arguments of <see cref="RateLimiterStrategyOptions.OnRejected"/>.
/// </summary>
public readonly struct OnRateLimiterRejectedArguments
{
    /// <summary>Initializes a new instance of the <see cref="OnRateLimiterRejectedArguments"/> struct.</summary>
    /// <param name="context">The context of the refused execution.</param>
    /// <param name="lease">The failed lease (its metadata may say when to retry); disposed after the callback.</param>
    public OnRateLimiterRejectedArguments(ResilienceContext context, RateLimitLease lease)
    {
        Context = context;
        Lease = lease;
    }

    /// <summary>Gets the context of the refused execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the failed lease; it is disposed after the callback returns.</summary>
    public RateLimitLease Lease { get; }
}
