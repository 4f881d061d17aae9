namespace Resilience;

/// <summary>
/// A composable rule that says which outcomes a strategy handles: exceptions by type (with optional filters) and
/// results by predicate. Start one with <see cref="Handle"/> or <see cref="Handle{TResult}"/>; it converts to the
/// <c>ShouldHandle</c> delegate every strategy's options take.
/// </summary>
/// <typeparam name="TResult">The result type the rule inspects.</typeparam>
/// <remarks>
/// <para>
/// An <see cref="OperationCanceledException"/> raised because the caller's token was cancelled is never handled,
/// whatever the rule says: strategies check that before they consult the rule.
/// </para>
/// <para>
/// A rule is frozen when a pipeline that uses it is built: parts added until then count, and adding one afterwards
/// throws <see cref="InvalidOperationException"/> (it could not take effect in the built pipeline, and would race
/// with its executions).
/// </para>
/// </remarks>
public sealed class OutcomePredicate<TResult>
{
    private readonly Lock _lock = new();
    private readonly List<Func<Exception, bool>> _exceptionRules = [];
    private readonly List<Func<TResult, bool>> _resultRules = [];
    private volatile bool _frozen;

    internal OutcomePredicate()
    {
    }

    /// <summary>
    /// Gets a value indicating whether the rule inspects results at all. Strategies use it to skip converting
    /// (and boxing) successful results on non-generic pipelines.
    /// </summary>
    public bool HandlesResults => _resultRules.Count > 0;

    /// <summary>
    /// Converts the rule to the delegate the strategy options take.
    /// </summary>
    /// <param name="predicate">The rule.</param>
    public static implicit operator Func<Outcome<TResult>, bool>(OutcomePredicate<TResult> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return predicate.ShouldHandle;
    }

    /// <summary>
    /// Also handles exceptions of type <typeparamref name="TException"/> (or derived from it).
    /// </summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <returns>This rule, for chaining.</returns>
    /// <exception cref="InvalidOperationException">A pipeline that uses this rule was already built.</exception>
    public OutcomePredicate<TResult> Or<TException>()
        where TException : Exception
    {
        Add(_exceptionRules, static ex => ex is TException);
        return this;
    }

    /// <summary>
    /// Also handles exceptions of type <typeparamref name="TException"/> that match <paramref name="filter"/>.
    /// </summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <param name="filter">Returns <see langword="true"/> for the exceptions to handle.</param>
    /// <returns>This rule, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="filter"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A pipeline that uses this rule was already built.</exception>
    public OutcomePredicate<TResult> Or<TException>(Func<TException, bool> filter)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(filter);
        Add(_exceptionRules, ex => ex is TException typed && filter(typed));
        return this;
    }

    /// <summary>
    /// Also handles exceptions whose direct inner exception is a <typeparamref name="TException"/> (Polly's
    /// <c>HandleInner</c>): a failure wrapped once, such as an <see cref="AggregateException"/> of one exception.
    /// </summary>
    /// <typeparam name="TException">The type of the inner exception.</typeparam>
    /// <returns>This rule, for chaining.</returns>
    /// <exception cref="InvalidOperationException">A pipeline that uses this rule was already built.</exception>
    public OutcomePredicate<TResult> OrInner<TException>()
        where TException : Exception
    {
        Add(_exceptionRules, static ex => ex.InnerException is TException);
        return this;
    }

    /// <summary>
    /// Also handles exceptions whose direct inner exception is a <typeparamref name="TException"/> that matches
    /// <paramref name="filter"/> (Polly's <c>HandleInner</c>).
    /// </summary>
    /// <typeparam name="TException">The type of the inner exception.</typeparam>
    /// <param name="filter">Returns <see langword="true"/> for the inner exceptions to handle.</param>
    /// <returns>This rule, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="filter"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A pipeline that uses this rule was already built.</exception>
    public OutcomePredicate<TResult> OrInner<TException>(Func<TException, bool> filter)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(filter);
        Add(_exceptionRules, ex => ex.InnerException is TException typed && filter(typed));
        return this;
    }

    /// <summary>
    /// Also handles results that match <paramref name="predicate"/>.
    /// </summary>
    /// <param name="predicate">Returns <see langword="true"/> for the results to handle.</param>
    /// <returns>This rule, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A pipeline that uses this rule was already built.</exception>
    public OutcomePredicate<TResult> OrResult(Func<TResult, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Add(_resultRules, predicate);
        return this;
    }

    /// <summary>
    /// Freezes the rule for a pipeline being built; from now on its parts never change, so executions read them
    /// without a lock.
    /// </summary>
    internal void Freeze()
    {
        lock (_lock)
        {
            _frozen = true;
        }
    }

    private void Add<T>(List<T> rules, T rule)
    {
        lock (_lock)
        {
            if (_frozen)
            {
                throw new InvalidOperationException("This OutcomePredicate is used by a pipeline that was already built, so it can no longer change; start a new rule (Handle.Exception<T>() ...) for other pipelines.");
            }

            rules.Add(rule);
        }
    }

    /// <summary>
    /// Evaluates the rule for an outcome.
    /// </summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns><see langword="true"/> when the outcome should be handled.</returns>
    public bool ShouldHandle(Outcome<TResult> outcome)
    {
        if (outcome.Exception is { } exception)
        {
            foreach (var rule in _exceptionRules)
            {
                if (rule(exception))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var rule in _resultRules)
        {
            if (rule(outcome.Result!))
            {
                return true;
            }
        }

        return false;
    }
}
