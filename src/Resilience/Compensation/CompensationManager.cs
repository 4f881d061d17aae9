using System.Collections.Concurrent;
using Resilience.Compensation.Internal;
using Resilience.DeadLetter;
using Resilience.Internal;
using Resilience.Retry;
using Resilience.Telemetry;

namespace Resilience.Compensation;

/// <summary>
/// Runs registered compensations (saga rollback) last-in first-out, each at most once per attempt, through a retry and
/// timeout of their own. Use a scope (<see cref="Begin"/>) per operation, or register against an operation id. Thread-safe.
/// </summary>
/// <remarks>
/// The type is split by concern: this file holds the in-memory registry; <c>.Handlers</c> the named handlers;
/// <c>.Journal</c> what durable scopes write; <c>.Rollback</c> the walk down the stack; <c>.Parking</c> the dead letter
/// entries; <c>.Recovery</c> and <c>.Resume</c> what happens after a crash or for a parked rollback.
/// </remarks>
public sealed partial class CompensationManager : IAsyncDisposable
{
    /// <summary>The dead letter operation type of parked rollbacks.</summary>
    public const string ParkedOperationType = "compensation.resume";

    private readonly ConcurrentDictionary<string, CompensationStack> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<CompensationScope> _scopes = new();
    private readonly OperationLeases _leases = new();
    private readonly ResiliencePipeline _stepPipeline;
    private readonly CompensationFailurePolicy _policy;
    private readonly CompensationRecoveryPolicy _recoveryPolicy;
    private readonly DeadLetterQueue? _deadLetters;
    private readonly Func<string, List<CompensationStep>, Task<CompensationResult>> _run;
    private readonly ICompensationJournal? _journal;
    private readonly ResilienceTelemetry _telemetry = new(null, "Compensation", events: [new("OnCompensationExecuted", "resilience.compensation.executed", "{step}", "Compensations run."), new("OnCompensationFailed", "resilience.compensation.failed", "{step}", "Compensations that failed after their attempts.")]);
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
        var stepTimeout = options.StepTimeout != System.Threading.Timeout.InfiniteTimeSpan;
        if (stepTimeout)
        {
            OptionGuard.Positive(options.StepTimeout, "CompensationOptions.StepTimeout");
        }

        OptionGuard.NotNull(options.TimeProvider, "CompensationOptions.TimeProvider");
        if (options.FailurePolicy == CompensationFailurePolicy.StopAndPark || options.RecoveryPolicy == CompensationRecoveryPolicy.Park)
        {
            // Parking needs somewhere to park.
            OptionGuard.NotNull(options.DeadLetterQueue, "CompensationOptions.DeadLetterQueue");
        }

        _policy = options.FailurePolicy;
        _recoveryPolicy = options.RecoveryPolicy;
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

        // Without a step timeout the steps get CancellationToken.None: no token source, no timer, no timeout strategy.
        if (stepTimeout)
        {
            builder.AddTimeout(options.StepTimeout);
        }

        _stepPipeline = builder.Build();
        _run = RollbackFirstAsync;
        if (options.JournalDirectory is not null && options.JournalFactory is not null)
        {
            throw new ArgumentException("Set CompensationOptions.JournalDirectory or CompensationOptions.JournalFactory, not both.", nameof(options));
        }

        if (options.JournalDirectory is not null)
        {
            OptionGuard.NotEmpty(options.JournalDirectory, "CompensationOptions.JournalDirectory");
            _journal = CompensationJournal.Open(options.JournalDirectory, options.Journal, options.TimeProvider);
        }
        else if (options.JournalFactory is not null)
        {
            _journal = options.JournalFactory(options) ?? throw new ArgumentException("CompensationOptions.JournalFactory returned null.", nameof(options));
        }

        _deadLetters?.RegisterHandler(ParkedOperationType, ResumeParkedAsync);
    }

    /// <summary>Gets a value indicating whether the manager keeps a journal (durable mode).</summary>
    internal bool HasJournal => _journal is not null;

    /// <summary>Gets the per-operation leases (tests watch them to sequence races).</summary>
    internal OperationLeases Leases => _leases;

    /// <summary>Flushes and closes the journal, if any.</summary>
    /// <returns>A task that completes when it is closed.</returns>
    public ValueTask DisposeAsync() => _journal?.DisposeAsync() ?? default;

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
}
