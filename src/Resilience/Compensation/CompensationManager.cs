using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Resilience.Compensation.Internal;
using Resilience.DeadLetter;
using Resilience.Internal;
using Resilience.Retry;

namespace Resilience.Compensation;

/// <summary>
/// Runs registered compensations (saga rollback) last-in first-out, each at most once, through a retry and timeout of
/// their own. Use a scope (<see cref="Begin"/>) per operation, or register against an operation id. Thread-safe.
/// </summary>
public sealed class CompensationManager
{
    /// <summary>The dead letter operation type of parked rollbacks.</summary>
    public const string ParkedOperationType = "compensation.resume";

    private readonly ConcurrentDictionary<string, CompensationStack> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ParkedRollback> _parked = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<CompensationScope> _scopes = new();
    private readonly ResiliencePipeline _stepPipeline;
    private readonly CompensationFailurePolicy _policy;
    private readonly DeadLetterQueue? _deadLetters;
    private readonly Func<string, CompensationStep[], Task<CompensationResult>> _run;
    private long _registered;
    private long _executed;
    private long _successful;
    private long _failed;
    private long _pending;

    /// <summary>
    /// Initializes a new instance of the <see cref="CompensationManager"/> class.
    /// </summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public CompensationManager(CompensationOptions? options = null)
    {
        options ??= new CompensationOptions();
        OptionGuard.InRange(options.MaxAttempts, 1, 1000, "CompensationOptions.MaxAttempts");
        OptionGuard.Positive(options.StepTimeout, "CompensationOptions.StepTimeout");
        OptionGuard.NotNull(options.TimeProvider, "CompensationOptions.TimeProvider");
        if (options.FailurePolicy == CompensationFailurePolicy.StopAndPark)
        {
            // Parking needs somewhere to park.
            OptionGuard.NotNull(options.DeadLetterQueue, "CompensationOptions.DeadLetterQueue");
        }

        _policy = options.FailurePolicy;
        _deadLetters = options.DeadLetterQueue;
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider, Name = "compensation" };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = BackoffType.Exponential,
                BaseDelay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                Jitter = JitterMode.Full,

                // A failing compensation is retried whatever it threw: the alternative is an inconsistency left behind.
                ShouldHandle = static outcome => outcome.Exception is not null,
            });
        }

        _stepPipeline = builder.AddTimeout(options.StepTimeout).Build();
        _run = RunAsync;
        _deadLetters?.RegisterHandler(ParkedOperationType, ResumeParkedAsync);
    }

    /// <summary>
    /// Starts a scope for an operation. Dispose it; if it was not completed, it rolls back.
    /// </summary>
    /// <param name="operationId">The operation's id (used in results, errors and parked entries).</param>
    /// <returns>A pooled scope.</returns>
    /// <exception cref="ArgumentException"><paramref name="operationId"/> is null or empty.</exception>
    public CompensationScope Begin(string operationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        if (!_scopes.TryDequeue(out var scope))
        {
            scope = new CompensationScope(this);
        }

        scope.Reset(operationId);
        Interlocked.Increment(ref _pending);
        return scope;
    }

    /// <summary>Registers a synchronous compensation for an operation.</summary>
    /// <param name="operationId">The operation's id.</param>
    /// <param name="compensation">Undoes the step.</param>
    /// <exception cref="ArgumentException"><paramref name="operationId"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The operation was completed or is rolling back.</exception>
    public void Register(string operationId, Action compensation)
    {
        ArgumentNullException.ThrowIfNull(compensation);
        StackFor(operationId).Add(CompensationStep.From(compensation));
        StepRegistered();
    }

    /// <summary>Registers an asynchronous compensation for an operation.</summary>
    /// <param name="operationId">The operation's id.</param>
    /// <param name="compensation">Undoes the step; it gets its own token (with the step timeout).</param>
    /// <exception cref="ArgumentException"><paramref name="operationId"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The operation was completed or is rolling back.</exception>
    public void Register(string operationId, Func<CancellationToken, ValueTask> compensation)
    {
        ArgumentNullException.ThrowIfNull(compensation);
        StackFor(operationId).Add(CompensationStep.From(compensation));
        StepRegistered();
    }

    /// <summary>Registers an asynchronous compensation with a state argument (no closure).</summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="operationId">The operation's id.</param>
    /// <param name="state">The state passed to <paramref name="compensation"/>.</param>
    /// <param name="compensation">Undoes the step.</param>
    /// <exception cref="ArgumentException"><paramref name="operationId"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The operation was completed or is rolling back.</exception>
    public void Register<TState>(string operationId, TState state, Func<TState, CancellationToken, ValueTask> compensation)
    {
        ArgumentNullException.ThrowIfNull(compensation);
        StackFor(operationId).Add(CompensationStep.From(state, compensation));
        StepRegistered();
    }

    /// <summary>
    /// Rolls an operation back: its compensations run last registered first, each at most once. Concurrent and repeated
    /// calls return the same task; an unknown (or forgotten) operation returns an empty result.
    /// </summary>
    /// <param name="operationId">The operation's id.</param>
    /// <returns>The result, listing every step's outcome.</returns>
    /// <exception cref="ArgumentException"><paramref name="operationId"/> is null or empty.</exception>
    public Task<CompensationResult> CompensateAsync(string operationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        return _operations.TryGetValue(operationId, out var stack)
            ? Rollback(stack)
            : Task.FromResult(new CompensationResult(operationId, [], null));
    }

    /// <summary>
    /// Completes an operation registered by id: its compensations are dropped. Also forgets a rolled-back operation's result.
    /// </summary>
    /// <param name="operationId">The operation's id.</param>
    /// <returns><see langword="true"/> when the operation was known.</returns>
    /// <exception cref="ArgumentException"><paramref name="operationId"/> is null or empty.</exception>
    public bool Forget(string operationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        if (!_operations.TryRemove(operationId, out var stack))
        {
            return false;
        }

        if (stack.TryComplete())
        {
            OperationEnded();
        }

        return true;
    }

    /// <summary>Gets the counters.</summary>
    /// <returns>A snapshot.</returns>
    public CompensationStatistics GetStatistics() => new(
        Interlocked.Read(ref _registered),
        Interlocked.Read(ref _executed),
        Interlocked.Read(ref _successful),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _pending));

    internal Task<CompensationResult> Rollback(CompensationStack stack)
    {
        var task = stack.Rollback(_run, out var started);
        if (started)
        {
            OperationEnded();
        }

        return task;
    }

    internal void StepRegistered() => Interlocked.Increment(ref _registered);

    internal void OperationEnded() => Interlocked.Decrement(ref _pending);

    internal void ReturnScope(CompensationScope scope) => _scopes.Enqueue(scope);

    private CompensationStack StackFor(string operationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        if (_operations.TryGetValue(operationId, out var existing))
        {
            return existing;
        }

        var created = new CompensationStack();
        created.Reset(operationId);
        var stack = _operations.GetOrAdd(operationId, created);
        if (ReferenceEquals(stack, created))
        {
            Interlocked.Increment(ref _pending);
        }

        return stack;
    }

    private async Task<CompensationResult> RunAsync(string operationId, CompensationStep[] steps)
    {
        var results = new List<CompensationStepResult>(steps.Length);
        for (var i = steps.Length - 1; i >= 0; i--)
        {
            var failure = await RunStepAsync(steps[i]).ConfigureAwait(false);
            results.Add(new CompensationStepResult(i, failure is null, failure));
            if (failure is not null && _policy == CompensationFailurePolicy.StopAndPark)
            {
                var parkedId = await ParkAsync(operationId, steps, i, failure).ConfigureAwait(false);
                return new CompensationResult(operationId, results, parkedId);
            }
        }

        return new CompensationResult(operationId, results, null);
    }

    private async ValueTask<Exception?> RunStepAsync(CompensationStep step)
    {
        Interlocked.Increment(ref _executed);

        // CancellationToken.None: the operation being undone is usually cancelled already; the step's own timeout bounds it.
        var outcome = await _stepPipeline.ExecuteOutcomeAsync(static (s, ct) => AsResult(s.InvokeAsync(ct)), step, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Increment(ref outcome.Exception is null ? ref _successful : ref _failed);
        return outcome.Exception;
    }

    // A compensation that completes synchronously costs no state machine.
    private static ValueTask<bool> AsResult(ValueTask pending) => pending.IsCompletedSuccessfully ? new ValueTask<bool>(true) : AwaitAsResult(pending);

    private static async ValueTask<bool> AwaitAsResult(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        return true;
    }

    private async Task<string> ParkAsync(string operationId, CompensationStep[] steps, int failedIndex, Exception failure)
    {
        _parked[operationId] = new ParkedRollback(steps, failedIndex);
        var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"operationId\":\"{operationId.Replace("\"", "\\\"", StringComparison.Ordinal)}\",\"fromStep\":{failedIndex}}}"));
        var entry = await _deadLetters!.AddAsync(
            ParkedOperationType,
            payload,
            failure,
            DeadLetterFailureReason.MaxRetriesExceeded,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["operationId"] = operationId, ["fromStep"] = failedIndex.ToString(CultureInfo.InvariantCulture) },
            CancellationToken.None).ConfigureAwait(false);
        return entry.Id;
    }

    private async ValueTask ResumeParkedAsync(DeadLetterAttempt attempt, CancellationToken cancellationToken)
    {
        var operationId = attempt.Entry.Context.GetValueOrDefault("operationId")
            ?? throw new DeadLetterPayloadException($"Parked rollback entry '{attempt.Entry.Id}' names no operation.");
        if (!_parked.TryGetValue(operationId, out var parked))
        {
            // Delegates live in memory only: after a restart there is nothing left to run (durable, named handlers are the answer).
            throw new DeadLetterPayloadException($"The compensations of operation '{operationId}' are no longer in memory (the process restarted); they cannot be resumed.");
        }

        // Resume last-in first-out from the step that failed; each step that succeeds is not run again on a later retry.
        while (parked.NextIndex >= 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var failure = await RunStepAsync(parked.Steps[parked.NextIndex]).ConfigureAwait(false);
            if (failure is not null)
            {
                throw new CompensationFailedException($"Resuming the rollback of '{operationId}' failed again at step {parked.NextIndex}.", failure);
            }

            parked.NextIndex--;
        }

        _parked.TryRemove(operationId, out _);
    }

    private sealed class ParkedRollback(CompensationStep[] steps, int nextIndex)
    {
        public CompensationStep[] Steps { get; } = steps;

        public int NextIndex { get; set; } = nextIndex;
    }
}
