namespace Resilience.Bulkhead;

/// <summary>
/// Options of a bulkhead: how many calls may run at once, how many may wait, and for how long.
/// </summary>
public sealed class BulkheadStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>Gets or sets how many calls may run at once.</summary>
    /// <value>The default value is 10. It must be at least 1.</value>
    public int MaxConcurrency { get; set; } = 10;

    /// <summary>Gets or sets how many calls may wait for a slot, first in first out; 0 means no queue.</summary>
    /// <value>The default value is 0. It must not be negative.</value>
    public int MaxQueueLength { get; set; }

    /// <summary>Gets or sets how long a call may wait in the queue for a slot.</summary>
    /// <value>The default value is 30 seconds. It must be greater than zero and at most 1 day, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> to wait as long as it takes.</value>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets a callback raised when a call is refused. An exception it throws becomes the call's outcome instead of the rejection.</summary>
    public Func<OnBulkheadRejectedArguments, ValueTask>? OnRejected { get; set; }
}
