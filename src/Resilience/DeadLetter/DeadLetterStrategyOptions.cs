namespace Resilience.DeadLetter;

/// <summary>
/// Options of the dead-letter strategy: a pipeline step that sends the payload of a call that finally failed to a
/// <see cref="DeadLetterQueue"/>, then lets the failure go on to the caller.
/// </summary>
/// <remarks>
/// Add it outermost (before retry) so only calls that exhausted their retries are dead-lettered.
/// </remarks>
public sealed class DeadLetterStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>Gets or sets the queue to send failed calls to.</summary>
    public DeadLetterQueue? Queue { get; set; }

    /// <summary>Gets or sets the operation type of the entries, which selects the handler that retries them.</summary>
    public string? OperationType { get; set; }

    /// <summary>
    /// Gets or sets what to store for a failed call: the bytes a handler needs to run it again (typically taken from
    /// <see cref="ResilienceContext.Properties"/>). Returning <see langword="null"/> skips dead-lettering that call.
    /// </summary>
    public Func<ResilienceContext, byte[]?>? PayloadFactory { get; set; }

    /// <summary>Gets or sets which failures are dead-lettered. Caller cancellation never is.</summary>
    /// <value>The default value handles every exception.</value>
    public Func<Outcome<object>, bool> ShouldHandle { get; set; } = static outcome => outcome.Exception is not null;

    /// <summary>Gets or sets a source of context (correlation ids, ...) stored with the entry.</summary>
    public Func<ResilienceContext, IReadOnlyDictionary<string, string>?>? ContextFactory { get; set; }
}
