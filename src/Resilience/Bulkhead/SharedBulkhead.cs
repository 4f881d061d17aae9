using Resilience.Bulkhead.Internal;
using Resilience.Internal;

namespace Resilience.Bulkhead;

/// <summary>
/// A bulkhead whose slots and queue are shared by every pipeline it is added to (<c>builder.AddBulkhead(bulkhead)</c>),
/// with live counters. Thread-safe.
/// </summary>
public sealed class SharedBulkhead
{
    /// <summary>
    /// Initializes a new instance of the <see cref="SharedBulkhead"/> class.
    /// </summary>
    /// <param name="name">The bulkhead's name, used in exceptions and telemetry.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <param name="timeProvider">The time source of queue timeouts; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public SharedBulkhead(string name, BulkheadStrategyOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        BulkheadPipelineBuilderExtensions.Validate(options);
        Name = name;
        OnRejected = options.OnRejected;
        Limiter = new BulkheadLimiter(name, options.MaxConcurrency, options.MaxQueueLength, options.QueueTimeout, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Gets the bulkhead's name.</summary>
    public string Name { get; }

    /// <summary>Gets how many calls run now.</summary>
    public int InUse => Limiter.InUse;

    /// <summary>Gets how many calls wait for a slot now.</summary>
    public int Queued => Limiter.Queued;

    /// <summary>Gets how many slots are free now.</summary>
    public int Available => Math.Max(0, Limiter.MaxConcurrency - Limiter.InUse);

    /// <summary>Gets the number of slots.</summary>
    public int MaxConcurrency => Limiter.MaxConcurrency;

    internal BulkheadLimiter Limiter { get; }

    internal Func<OnBulkheadRejectedArguments, ValueTask>? OnRejected { get; }
}
