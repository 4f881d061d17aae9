namespace Resilience.Bulkhead;

/// <summary>
/// The arguments of <see cref="BulkheadStrategyOptions.OnRejected"/>.
/// </summary>
public readonly struct OnBulkheadRejectedArguments
{
    /// <summary>Initializes a new instance of the <see cref="OnBulkheadRejectedArguments"/> struct.</summary>
    /// <param name="context">The context of the refused execution.</param>
    /// <param name="reason">Why it was refused.</param>
    /// <param name="bulkheadName">The bulkhead's name, if any.</param>
    public OnBulkheadRejectedArguments(ResilienceContext context, BulkheadRejectionReason reason, string? bulkheadName)
    {
        Context = context;
        Reason = reason;
        BulkheadName = bulkheadName;
    }

    /// <summary>Gets the context of the refused execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets why the call was refused.</summary>
    public BulkheadRejectionReason Reason { get; }

    /// <summary>Gets the bulkhead's name, if any.</summary>
    public string? BulkheadName { get; }
}
