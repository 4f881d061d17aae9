namespace Resilience.Hedging.Internal;

/// <summary>
/// One attempt of a hedged execution: its own context (a copy of the caller's), its own cancellation source (linked
/// to the caller's token) and the task of its outcome.
/// </summary>
internal sealed class HedgedAttempt<T>
{
    private readonly CancellationTokenRegistration _registration;

    private HedgedAttempt(ResilienceContext context, CancellationTokenSource source, CancellationTokenRegistration registration)
    {
        Context = context;
        Source = source;
        _registration = registration;
    }

    public ResilienceContext Context { get; }

    public CancellationTokenSource Source { get; }

    public Task<Outcome<T>> Task { get; private set; } = null!;

    /// <summary>Gets the outcome of a completed attempt; a faulted task (a strategy breaking its contract) becomes a failure.</summary>
    public Outcome<T> Outcome => Task.IsCompletedSuccessfully
        ? Task.Result
        : Resilience.Outcome.FromException<T>(Task.Exception?.InnerException ?? new OperationCanceledException());

    /// <summary>Makes the context and token of a new attempt: the caller's properties, a token the caller's cancels.</summary>
    public static HedgedAttempt<T> Create(ResilienceContext primary)
    {
        var source = CancellationSourceCache.Rent();
        var callerToken = primary.CancellationToken;
        var registration = callerToken.CanBeCanceled
            ? callerToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source)
            : default;
        var context = CreateContext(primary, source.Token);
        return new HedgedAttempt<T>(context, source, registration);
    }

    public static ResilienceContext CreateContext(ResilienceContext primary, CancellationToken token)
    {
        var context = ResilienceContextPool.Shared.Get(primary.OperationKey, token);
        context.IsSynchronous = primary.IsSynchronous;
        primary.CopyPropertiesTo(context);
        return context;
    }

    public static HedgedAttempt<T> FromRunning(ResilienceContext context, CancellationTokenSource source, CancellationTokenRegistration registration, Task<Outcome<T>> task)
        => new(context, source, registration) { Task = task };

    public void Start(Task<Outcome<T>> task) => Task = task;

    /// <summary>Cancels a losing attempt; once it ends, its result is disposed and its resources are released.</summary>
    public void Abandon()
    {
#pragma warning disable CA1031 // A token callback the work registered may throw; the loser is abandoned either way.
        try
        {
            Source.Cancel();
        }
        catch (Exception)
        {
            // Nothing to report to: the caller already has the winner's outcome.
        }
#pragma warning restore CA1031

        Task.ContinueWith(
            static (_, s) => ((HedgedAttempt<T>)s!).Release(disposeResult: true),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Releases an attempt that never started.</summary>
    public void Discard()
    {
        _registration.Dispose();
        ResilienceContextPool.Shared.Return(Context);
        CancellationSourceCache.Return(Source);
    }

    /// <summary>Releases a finished attempt; <paramref name="disposeResult"/> disposes its result when nobody receives it.</summary>
    public void Release(bool disposeResult)
    {
        _registration.Dispose();
        if (disposeResult && Task.IsCompletedSuccessfully && Task.Result.Result is IDisposable disposable)
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
        CancellationSourceCache.Return(Source);
    }
}
