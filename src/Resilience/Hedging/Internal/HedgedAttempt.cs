namespace Resilience.Hedging.Internal;

/// <summary>
/// One attempt of a hedged execution: its own context (a copy of the caller's), its own cancellation source (linked
/// to the caller's token) and its outcome, known at once when the attempt completed synchronously, else a task.
/// Instances are reused (one or two per thread) once released, so a hedged win allocates none.
/// </summary>
internal sealed class HedgedAttempt<T>
{
    [ThreadStatic]
    private static HedgedAttempt<T>? t_first;

    [ThreadStatic]
    private static HedgedAttempt<T>? t_second;

    private CancellationTokenSource? _source;
    private CancellationTokenRegistration _registration;
    private Task<Outcome<T>>? _task;
    private Outcome<T> _outcome;
    private bool _hasOutcome;

    private HedgedAttempt()
    {
    }

    public ResilienceContext Context { get; private set; } = null!;

    /// <summary>Gets the attempt's number: 0 for the first, 1 for the first hedged attempt.</summary>
    public int Number { get; private set; }

    public bool IsCompleted => _hasOutcome || _task!.IsCompleted;

    /// <summary>Gets the task of a running attempt, or <see langword="null"/> when its outcome was known at once.</summary>
    public Task<Outcome<T>>? PendingTask => _hasOutcome ? null : _task;

    /// <summary>Gets the outcome of a completed attempt; a faulted task (a strategy breaking its contract) becomes a failure.</summary>
    public Outcome<T> Outcome
    {
        get
        {
            if (_hasOutcome)
            {
                return _outcome;
            }

            var task = _task!;
            return task.IsCompletedSuccessfully
                ? task.Result
                : Resilience.Outcome.FromException<T>(task.Exception?.InnerException ?? new OperationCanceledException());
        }
    }

    /// <summary>Makes the context and token of a new attempt: the caller's properties, a token the caller's cancels.</summary>
    public static HedgedAttempt<T> Create(ResilienceContext primary, int number)
    {
        var source = CancellationSourceCache.Rent();
        var registration = Link(source, primary.CancellationToken);
        var attempt = Rent(CreateContext(primary, source.Token), source, registration);
        attempt.Number = number;
        return attempt;
    }

    public static CancellationTokenRegistration Link(CancellationTokenSource source, CancellationToken callerToken)
        => callerToken.CanBeCanceled
            ? callerToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source)
            : default;

    public static ResilienceContext CreateContext(ResilienceContext primary, CancellationToken token)
    {
        var context = ResilienceContextPool.Shared.Get(primary.OperationKey, token);
        context.IsSynchronous = primary.IsSynchronous;
        primary.CopyPropertiesTo(context);
        return context;
    }

    public static HedgedAttempt<T> Started(ResilienceContext context, CancellationTokenSource source, CancellationTokenRegistration registration, ValueTask<Outcome<T>> pending)
    {
        var attempt = Rent(context, source, registration);
        attempt.Number = 0;
        attempt.Start(pending);
        return attempt;
    }

    public void Start(ValueTask<Outcome<T>> pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            _outcome = pending.Result;
            _hasOutcome = true;
        }
        else
        {
            _task = pending.AsTask();
        }
    }

    public void Start(Task<Outcome<T>> task) => _task = task;

    /// <summary>
    /// Gives back the token of an attempt that has ended (so the next attempt can reuse it); its context stays, for
    /// its properties may still be the answer's.
    /// </summary>
    public void ReleaseToken()
    {
        _registration.Dispose();
        _registration = default;
        if (_source is { } source)
        {
            _source = null;
            CancellationSourceCache.Return(source);
        }
    }

    /// <summary>Cancels a losing attempt; once it ends, its result is disposed and its resources are released.</summary>
    public void Abandon()
    {
        if (_task is null || _hasOutcome)
        {
            Release(disposeResult: true);
            return;
        }

#pragma warning disable CA1031 // A token callback the work registered may throw; the loser is abandoned either way.
        try
        {
            _source?.Cancel();
        }
        catch (Exception)
        {
            // Nothing to report to: the caller already has the winner's outcome.
        }
#pragma warning restore CA1031

        _task.ContinueWith(
            static (_, s) => ((HedgedAttempt<T>)s!).Release(disposeResult: true),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Releases an attempt that has ended or never started; <paramref name="disposeResult"/> disposes its result when nobody receives it.</summary>
    public void Release(bool disposeResult)
    {
        ReleaseToken();
        if (disposeResult && (_hasOutcome || _task is { IsCompletedSuccessfully: true }) && Outcome.Result is IDisposable disposable)
        {
#pragma warning disable CA1031 // A losing result that fails to dispose must not disturb the winner's caller.
            try
            {
                disposable.Dispose();
            }
            catch (Exception)
            {
                // The result was dropped anyway.
            }
#pragma warning restore CA1031
        }

        ResilienceContextPool.Shared.Return(Context);
        Context = null!;
        _task = null;
        _outcome = default;
        _hasOutcome = false;
        if (t_first is null)
        {
            t_first = this;
        }
        else
        {
            t_second ??= this;
        }
    }

    private static HedgedAttempt<T> Rent(ResilienceContext context, CancellationTokenSource source, CancellationTokenRegistration registration)
    {
        var attempt = t_first;
        if (attempt is not null)
        {
            t_first = null;
        }
        else
        {
            attempt = t_second ?? new HedgedAttempt<T>();
            t_second = null;
        }

        attempt.Context = context;
        attempt._source = source;
        attempt._registration = registration;
        return attempt;
    }
}
