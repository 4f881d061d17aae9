namespace Resilience.Internal;

/// <summary>
/// Applies a strategy's <c>ShouldHandle</c> delegate to the outcome of a call site, whatever its result type, and
/// enforces the rule every strategy shares: cancellation requested by the caller is never handled.
/// </summary>
internal readonly struct ShouldHandlePredicate<TResult>
{
    private readonly Func<Outcome<TResult>, bool> _predicate;

    // A strategy's rule that takes arguments (context, attempt number), adapted once at build time; when set it
    // decides instead of _predicate.
    private readonly Func<Outcome<TResult>, ResilienceContext, int, bool>? _withArguments;

    // True when the delegate is known to look only at exceptions, so a successful result on a non-generic
    // pipeline need not be boxed just to be rejected.
    private readonly bool _exceptionsOnly;

    // Built when the pipeline is built: a rule given as an OutcomePredicate is frozen here, so what is cached about
    // it (whether it inspects results) stays true and no part is added while executions read it.
    public ShouldHandlePredicate(Func<Outcome<TResult>, bool> predicate, bool exceptionsOnly = false, Func<Outcome<TResult>, ResilienceContext, int, bool>? withArguments = null)
    {
        _predicate = predicate;
        _withArguments = withArguments;
        if (withArguments is not null)
        {
            // A rule with arguments may look at any result, so none is skipped.
            exceptionsOnly = false;
        }
        else if (predicate.Target is OutcomePredicate<TResult> rule)
        {
            rule.Freeze();
            exceptionsOnly |= !rule.HandlesResults;
        }

        _exceptionsOnly = exceptionsOnly;
    }

    /// <summary>Gets a value indicating whether a successful result is never handled (the rule looks only at exceptions).</summary>
    public bool SkipsResults => _exceptionsOnly;

    public bool ShouldHandle<T>(in Outcome<T> outcome, ResilienceContext context, int attemptNumber = 1)
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

        return _withArguments is null
            ? _predicate(Outcome.Convert<T, TResult>(outcome))
            : _withArguments(Outcome.Convert<T, TResult>(outcome), context, attemptNumber);
    }
}
