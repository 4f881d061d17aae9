namespace Resilience.Internal;

/// <summary>
/// Applies a strategy's <c>ShouldHandle</c> delegate to the outcome of a call site, whatever its result type, and
/// enforces the rule every strategy shares: cancellation requested by the caller is never handled.
/// </summary>
internal readonly struct ShouldHandlePredicate<TResult>
{
    private readonly Func<Outcome<TResult>, bool> _predicate;

    // True when the delegate is known to look only at exceptions, so a successful result on a non-generic
    // pipeline need not be boxed just to be rejected.
    private readonly bool _exceptionsOnly;

    // Built when the pipeline is built: a rule given as an OutcomePredicate is frozen here, so what is cached about
    // it (whether it inspects results) stays true and no part is added while executions read it.
    public ShouldHandlePredicate(Func<Outcome<TResult>, bool> predicate, bool exceptionsOnly = false)
    {
        _predicate = predicate;
        if (predicate.Target is OutcomePredicate<TResult> rule)
        {
            rule.Freeze();
            exceptionsOnly |= !rule.HandlesResults;
        }

        _exceptionsOnly = exceptionsOnly;
    }

    public bool ShouldHandle<T>(in Outcome<T> outcome, ResilienceContext context)
    {
        if (outcome.ExceptionDispatchInfo is { } edi)
        {
            if (edi.SourceException is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }
        else if (_exceptionsOnly)
        {
            return false;
        }

        return _predicate(Outcome.Convert<T, TResult>(outcome));
    }
}
