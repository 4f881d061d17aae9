using Resilience.DeadLetter;

namespace Resilience.DependencyInjection.Configuration;

/// <summary>
/// The configurable part of <see cref="DeadLetterQueueOptions"/> (callbacks and the clock are set in code).
/// </summary>
public sealed class DeadLetterQueueSettings
{
    /// <summary>Gets or sets the queue's name (the <c>queue</c> tag of its gauges and a field of its log messages).</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the store directory (in memory when unset).</summary>
    public string? Directory { get; set; }

    /// <summary>Gets or sets the durability mode.</summary>
    public DurabilityMode? Durability { get; set; }

    /// <summary>Gets or sets the largest payload.</summary>
    public int? MaxPayloadBytes { get; set; }

    /// <summary>Gets or sets the most entries.</summary>
    public int? MaxEntries { get; set; }

    /// <summary>Gets or sets the overflow policy.</summary>
    public OverflowPolicy? OverflowPolicy { get; set; }

    /// <summary>Gets or sets the retry attempts per entry.</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>Gets or sets the first retry delay.</summary>
    public TimeSpan? RetryBaseDelay { get; set; }

    /// <summary>Gets or sets the longest retry delay.</summary>
    public TimeSpan? RetryMaxDelay { get; set; }

    /// <summary>Gets or sets how many attempts run at once.</summary>
    public int? MaxConcurrentAttempts { get; set; }

    /// <summary>Gets or sets how long recovered and discarded entries are kept.</summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>The first invalid option (the queue validates in order), found over a throwaway in-memory store so no directory is touched.</summary>
    internal static ArgumentException? Validate(DeadLetterQueueOptions options)
    {
        try
        {
            var probe = DeadLetterQueue.Create(new InMemoryDeadLetterStore(), options);
            probe.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex;
        }
    }

    internal void ApplyTo(DeadLetterQueueOptions options)
    {
        options.Name = Name ?? options.Name;
        options.Directory = Directory ?? options.Directory;
        options.Durability = Durability ?? options.Durability;
        options.MaxPayloadBytes = MaxPayloadBytes ?? options.MaxPayloadBytes;
        options.MaxEntries = MaxEntries ?? options.MaxEntries;
        options.OverflowPolicy = OverflowPolicy ?? options.OverflowPolicy;
        options.MaxAttempts = MaxAttempts ?? options.MaxAttempts;
        options.RetryBaseDelay = RetryBaseDelay ?? options.RetryBaseDelay;
        options.RetryMaxDelay = RetryMaxDelay ?? options.RetryMaxDelay;
        options.MaxConcurrentAttempts = MaxConcurrentAttempts ?? options.MaxConcurrentAttempts;
        options.Retention = Retention ?? options.Retention;
    }
}
