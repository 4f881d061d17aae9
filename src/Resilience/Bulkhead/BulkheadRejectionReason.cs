namespace Resilience.Bulkhead;

/// <summary>
/// Why a bulkhead refused a call.
/// </summary>
public enum BulkheadRejectionReason
{
    /// <summary>Every slot was busy and the queue was full (or there is no queue).</summary>
    QueueFull = 0,

    /// <summary>The call waited in the queue for <see cref="BulkheadStrategyOptions.QueueTimeout"/> without getting a slot.</summary>
    QueueTimeout = 1,
}
