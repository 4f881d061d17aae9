using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Resilience.Compensation.Internal;
using Resilience.DeadLetter;
using Resilience.Internal;
using Resilience.Retry;
using Resilience.Telemetry;

namespace Resilience.Compensation;

/// <summary>
/// Runs registered compensations (saga rollback) last-in first-out, each at most once, through a retry and timeout of
/// their own. Use a scope (<see cref="Begin"/>) per operation, or register against an operation id. Thread-safe.
/// </summary>
public sealed class CompensationManager : IAsyncDisposable
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
    private readonly ConcurrentDictionary<string, Func<byte[], CompensationStep>> _namedHandlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _durableOperations = new(StringComparer.Ordinal);
    private readonly CompensationJournal? _journal;
    private readonly CompensationRecoveryPolicy _recoveryPolicy;
    private readonly ConcurrentDictionary<string, object> _typedHandlers = new(StringComparer.Ordinal);
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
        _recoveryPolicy = options.RecoveryPolicy;
        if (options.RecoveryPolicy == CompensationRecoveryPolicy.Park)
        {
            OptionGuard.NotNull(options.DeadLetterQueue, "CompensationOptions.DeadLetterQueue");
        }

        if (options.JournalDirectory is not null)
        {
            OptionGuard.NotEmpty(options.JournalDirectory, "CompensationOptions.JournalDirectory");
            _journal = CompensationJournal.Open(options.JournalDirectory, options.TimeProvider);
        }
    }

    /// <summary>
    /// Registers a named compensation handler for durable mode; scopes then register steps by its name with a state the
    /// journal can store (serialized with <paramref name="typeInfo"/>).
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="name">The handler's name, stored in the journal: keep it stable across releases.</param>
    /// <param name="typeInfo">The state's JSON metadata, from your <c>JsonSerializerContext</c>.</param>
    /// <param name="handler">Undoes a step, given its state; it may run more than once after a crash (make it idempotent).</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public void RegisterHandler<TState>(string name, JsonTypeInfo<TState> typeInfo, Func<TState, CancellationToken, ValueTask> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_namedHandlers.TryAdd(name, bytes => CompensationStep.From(JsonSerializer.Deserialize(bytes, typeInfo)!, handler)))
        {
            throw new ArgumentException($"A compensation handler named '{name}' is already registered.", nameof(name));
        }

        _typedHandlers[name] = (typeInfo, handler);
    }

    /// <summary>
    /// Resumes what a crash interrupted: every journaled operation that neither completed nor finished rolling back is
    /// rolled back (from the last step not yet compensated, last-in first-out), parked, or forgotten, as
    /// <see cref="CompensationOptions.RecoveryPolicy"/> says. Register the handlers first.
    /// </summary>
    /// <param name="cancellationToken">Stops before the next operation.</param>
    /// <returns>The results of the operations rolled back (or parked).</returns>
    /// <exception cref="InvalidOperationException">There is no journal, or the journal names handlers that are not registered (nothing is run then).</exception>
    public async Task<IReadOnlyList<CompensationResult>> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var journal = _journal ?? throw new InvalidOperationException("Recovery needs a journal: set CompensationOptions.JournalDirectory.");
        var unfinished = journal.Unfinished();
        var missing = unfinished.SelectMany(o => o.Steps.Values.Select(s => s.Handler)).Where(h => !_namedHandlers.ContainsKey(h)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The compensation journal names handlers that are not registered: {string.Join(", ", missing.Select(m => $"'{m}'"))}. Register them before RecoverAsync.");
        }

        var results = new List<CompensationResult>();
        foreach (var operation in unfinished)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_recoveryPolicy == CompensationRecoveryPolicy.Ignore)
            {
                await journal.EndAsync(operation.Id, completed: false).ConfigureAwait(false);
                continue;
            }

            // Steps already compensated before the crash, and steps that were never journaled, are left out.
            var steps = new CompensationStep[operation.Steps.Keys.Max() + 1];
            var present = new bool[steps.Length];
            foreach (var (index, step) in operation.Steps)
            {
                if (!operation.Done.Contains(index))
                {
                    steps[index] = _namedHandlers[step.Handler](step.State);
                    present[index] = true;
                }
            }

            _durableOperations[operation.Id] = true;
            if (_recoveryPolicy == CompensationRecoveryPolicy.Park)
            {
                var top = Array.LastIndexOf(present, true);
                var parkedId = top < 0 ? null : await ParkAsync(operation.Id, steps, top, new InvalidOperationException("The process stopped before this operation completed or rolled back.")).ConfigureAwait(false);
                results.Add(new CompensationResult(operation.Id, [], parkedId));
                continue;
            }

            results.Add(await RunAsync(operation.Id, steps, present).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>Flushes and closes the journal, if any.</summary>
    /// <returns>A task that completes when it is closed.</returns>
    public ValueTask DisposeAsync() => _journal?.DisposeAsync() ?? default;

    internal async ValueTask RegisterDurableAsync<TState>(CompensationStack stack, string handlerName, TState state, JsonTypeInfo<TState> typeInfo, Func<TState, CancellationToken, ValueTask> handler)
    {
        var journal = _journal ?? throw new InvalidOperationException("Named compensations need a journal: set CompensationOptions.JournalDirectory.");
        var bytes = JsonSerializer.SerializeToUtf8Bytes(state, typeInfo);
        var index = stack.Add(CompensationStep.From(state, handler));
        StepRegistered();
        _durableOperations[stack.OperationId] = true;

        // Durable before the caller runs the forward step: a crash after this point is compensated on recovery.
        await journal.RegisterAsync(stack.OperationId, index, handlerName, bytes).ConfigureAwait(false);
    }

    internal (JsonTypeInfo<TState> TypeInfo, Func<TState, CancellationToken, ValueTask> Handler) FindHandler<TState>(string handlerName)
    {
        if (!_typedHandlers.TryGetValue(handlerName, out var typed) || typed is not ValueTuple<JsonTypeInfo<TState>, Func<TState, CancellationToken, ValueTask>> match)
        {
            throw new InvalidOperationException(_namedHandlers.ContainsKey(handlerName)
                ? $"The compensation handler '{handlerName}' takes another state type than {typeof(TState).Name}."
                : $"No compensation handler named '{handlerName}' is registered; register it with RegisterHandler before using it.");
        }

        return match;
    }

    internal async ValueTask CompletedDurablyAsync(string operationId)
    {
        if (_journal is not null && _durableOperations.TryRemove(operationId, out _))
        {
            await _journal.EndAsync(operationId, completed: true).ConfigureAwait(false);
        }
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

    private Task<CompensationResult> RunAsync(string operationId, CompensationStep[] steps) => RunAsync(operationId, steps, null);

    private async Task<CompensationResult> RunAsync(string operationId, CompensationStep[] steps, bool[]? present)
    {
        var journal = _journal is not null && _durableOperations.ContainsKey(operationId) ? _journal : null;
        var results = new List<CompensationStepResult>(steps.Length);
        for (var i = steps.Length - 1; i >= 0; i--)
        {
            if (present is not null && !present[i])
            {
                continue;
            }

            var failure = await RunStepAsync(steps[i]).ConfigureAwait(false);
            results.Add(new CompensationStepResult(i, failure is null, failure));
            if (failure is null && journal is not null)
            {
                // At least once: if this record is lost in a crash, recovery runs the step again.
                await journal.StepDoneAsync(operationId, i).ConfigureAwait(false);
            }

            if (failure is not null && _policy == CompensationFailurePolicy.StopAndPark)
            {
                var parkedId = await ParkAsync(operationId, steps, i, failure).ConfigureAwait(false);
                return new CompensationResult(operationId, results, parkedId);
            }
        }

        if (journal is not null)
        {
            await journal.EndAsync(operationId, completed: false).ConfigureAwait(false);
            _durableOperations.TryRemove(operationId, out _);
        }

        return new CompensationResult(operationId, results, null);
    }

    private async ValueTask<Exception?> RunStepAsync(CompensationStep step)
    {
        Interlocked.Increment(ref _executed);

        // CancellationToken.None: the operation being undone is usually cancelled already; the step's own timeout bounds it.
        var outcome = await _stepPipeline.ExecuteOutcomeAsync(static (s, ct) => AsResult(s.InvokeAsync(ct)), step, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Increment(ref outcome.Exception is null ? ref _successful : ref _failed);
        _telemetry.Report("OnCompensationExecuted");
        if (outcome.Exception is not null)
        {
            _telemetry.Report("OnCompensationFailed");
        }

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
            // After a restart: named compensations come back from the journal; delegates cannot.
            parked = FromJournal(operationId)
                ?? throw new DeadLetterPayloadException($"The compensations of operation '{operationId}' are no longer in memory (the process restarted) and are not in the journal; they cannot be resumed.");
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
        if (_journal is not null && _durableOperations.TryRemove(operationId, out _))
        {
            await _journal.EndAsync(operationId, completed: false).ConfigureAwait(false);
        }
    }

    private ParkedRollback? FromJournal(string operationId)
    {
        var operation = _journal?.Unfinished().FirstOrDefault(o => string.Equals(o.Id, operationId, StringComparison.Ordinal));
        if (operation is null || operation.Steps.Values.Any(s => !_namedHandlers.ContainsKey(s.Handler)))
        {
            return null;
        }

        // Steps already compensated stay out; the rest run from the highest index down.
        var pending = operation.Steps.Where(s => !operation.Done.Contains(s.Key)).Select(s => _namedHandlers[s.Value.Handler](s.Value.State)).ToArray();
        _durableOperations[operationId] = true;
        return new ParkedRollback(pending, pending.Length - 1);
    }

    private sealed class ParkedRollback(CompensationStep[] steps, int nextIndex)
    {
        public CompensationStep[] Steps { get; } = steps;

        public int NextIndex { get; set; } = nextIndex;
    }
}
