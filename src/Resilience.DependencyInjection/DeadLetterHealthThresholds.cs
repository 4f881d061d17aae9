namespace Resilience.DependencyInjection;

/// <summary>
/// When the dead letter queue's health check reports a backlog.
/// </summary>
public sealed class DeadLetterHealthThresholds
{
    /// <summary>Gets or sets the pending count from which the queue is degraded.</summary>
    /// <value>The default value is 100.</value>
    public int DegradedPending { get; set; } = 100;

    /// <summary>Gets or sets the pending count from which the queue is unhealthy.</summary>
    /// <value>The default value is 10,000.</value>
    public int UnhealthyPending { get; set; } = 10_000;

    /// <summary>Gets or sets the oldest pending age from which the queue is degraded.</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan DegradedAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the oldest pending age from which the queue is unhealthy.</summary>
    /// <value>The default value is 1 day.</value>
    public TimeSpan UnhealthyAge { get; set; } = TimeSpan.FromDays(1);
}
