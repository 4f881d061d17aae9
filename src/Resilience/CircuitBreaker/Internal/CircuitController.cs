using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.CircuitBreaker.Internal;

/// <summary>
/// The state machine of one breaker, shared by every pipeline that uses it. The closed-state path reads one field
/// and records lock-free; transitions (rare) take a lock, bump the generation and raise their event once.
/// </summary>
internal sealed class CircuitController
{
    private const int StateBits = 2;
    private const long StateMask = 3;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly bool _coarseWindowClock;
    private readonly ResilienceTelemetry _telemetry;
    private readonly CircuitBreakerStrategyOptions<object> _options;
    private long _stateAndGeneration;
    private HealthMetrics? _metrics;
    private int _consecutiveFailures;
    private long _blockedUntil;
    private long _lastBreakTicks;
    private long _halfOpenSince;
    private int _halfOpenAdmitted;
    private int _halfOpenSuccesses;
    private int _consecutiveTrips;
    private int _probesInFlight;
    private Exception? _lastFailure;
    private DateTimeOffset? _lastOpenedAt;

    // Built once: a rejection should cost an exception object, not a formatted string as well.
    private readonly string _openMessage;
    private readonly string _isolatedMessage;
    private readonly string _halfOpenFullMessage;

    public CircuitController(string? name, CircuitBreakerStrategyOptions<object> options, TimeProvider time, ResilienceTelemetry telemetry)
    {
        Name = name;
        var named = name is null ? "The circuit" : $"The circuit '{name}'";
        _openMessage = named + " is open; the call was not attempted. RetryAfter tells when a probe will be let through.";
        _isolatedMessage = named + " is isolated by hand; the call was not attempted.";
        _halfOpenFullMessage = named + " is half-open and its probe calls are all in flight; the call was not attempted.";
        _options = options;
        _time = time;
        _telemetry = telemetry;

        // The sampling window of the system clock counts with Environment.TickCount64 (a few ns, millisecond
        // resolution) instead of the high-resolution timestamp (about 20 ns on some virtual machines), as the timeout
        // does: a bucket of 100 ms or more loses nothing to it. Any other provider is read exactly, so a fake clock
        // moves the window to the tick.
        _coarseWindowClock = ReferenceEquals(time, TimeProvider.System) && options.SamplingDuration / Math.Max(1, options.BucketCount) >= TimeSpan.FromMilliseconds(100);
        _metrics = CreateMetrics();
    }

    public string? Name { get; }

    public bool TracksSlowCalls => _options.SlowCallDuration is not null && _options.ConsecutiveFailureThreshold is null;

    public TimeSpan SlowCallDuration => _options.SlowCallDuration ?? TimeSpan.MaxValue;

    public TimeProvider TimeProvider => _time;

    public CircuitState State => (CircuitState)(Volatile.Read(ref _stateAndGeneration) & StateMask);

    public long Generation => Volatile.Read(ref _stateAndGeneration) >> StateBits;

    public Exception? LastFailure => Volatile.Read(ref _lastFailure);

    public DateTimeOffset? LastOpenedAt
    {
        get
        {
            lock (_lock)
            {
                return _lastOpenedAt;
            }
        }
    }

    /// <summary>Gets the probe permits handed out and not yet recorded or released (tests check none leaks).</summary>
    internal int ProbesInFlight => Volatile.Read(ref _probesInFlight);

    public TimeSpan? TimeUntilHalfOpen
    {
        get
        {
            if (State != CircuitState.Open)
            {
                return null;
            }

            var remaining = _time.GetElapsedTime(_time.GetTimestamp(), Volatile.Read(ref _blockedUntil));
            return remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining;
        }
    }

    /// <summary>
    /// Admits a call or rejects it. <paramref name="raised"/> is the transition event this call raised (half-open,
    /// or re-open after the half-open wait); the caller awaits it, and its failure becomes the call's outcome.
    /// </summary>
    /// <remarks>
    /// Metrics-only breakers never leave closed on their own (they never trip), so they take the same fast path; a
    /// manual isolation still rejects.
    /// </remarks>
    public bool TryAcquire(out CircuitPermit permit, out Exception? rejection, out ValueTask raised, ResilienceContext? context = null)
    {
        var current = Volatile.Read(ref _stateAndGeneration);
        if ((current & StateMask) == (long)CircuitState.Closed)
        {
            permit = new CircuitPermit(current >> StateBits, IsProbe: false);
            rejection = null;
            raised = default;
            return true;
        }

        return TryAcquireSlow(out permit, out rejection, out raised, context);
    }

    /// <summary>Records the result of an admitted call; returns the transition event it raised, if any.</summary>
    public ValueTask Record(CircuitPermit permit, bool failure, bool slow, Exception? exception, ResilienceContext? context = null)
    {
        if (permit.IsProbe)
        {
            Interlocked.Decrement(ref _probesInFlight);
        }

        var current = Volatile.Read(ref _stateAndGeneration);
        if (current >> StateBits != permit.Generation)
        {
            return default;
        }

        if (failure)
        {
            Volatile.Write(ref _lastFailure, exception);
        }

        switch ((CircuitState)(current & StateMask))
        {
            case CircuitState.Closed:
                return RecordClosed(current, failure, slow, context);
            case CircuitState.HalfOpen when permit.IsProbe:
                if (failure || slow)
                {
                    return Open(current, CircuitOpenReason.ProbeFailed, context);
                }

                return Interlocked.Increment(ref _halfOpenSuccesses) >= _options.SuccessThresholdInHalfOpen
                    ? Close(current, isManual: false)
                    : default;
            default:
                return default;
        }
    }

    /// <summary>A call that ended with the caller's cancellation: neither success nor failure, but it frees its probe slot.</summary>
    public void Release(CircuitPermit permit)
    {
        if (!permit.IsProbe)
        {
            return;
        }

        Interlocked.Decrement(ref _probesInFlight);
        lock (_lock)
        {
            if (Generation == permit.Generation && State == CircuitState.HalfOpen && _halfOpenAdmitted > 0)
            {
                _halfOpenAdmitted--;
            }
        }
    }

    /// <summary>Isolates the breaker; returns the <c>OnOpened</c> event it raised, if any.</summary>
    public ValueTask Isolate()
    {
        long generation;
        lock (_lock)
        {
            if (State == CircuitState.Isolated)
            {
                return default;
            }

            generation = Transition_NeedsLock(CircuitState.Isolated);
        }

        return RaiseOpened(CircuitOpenReason.Manual, TimeSpan.Zero, generation);
    }

    /// <summary>Closes the breaker and clears its counters; returns the <c>OnClosed</c> event it raised, if any.</summary>
    public ValueTask CloseManually()
    {
        long generation;
        lock (_lock)
        {
            if (State == CircuitState.Closed)
            {
                _metrics = CreateMetrics();
                _consecutiveFailures = 0;
                return default;
            }

            generation = EnterClosed_NeedsLock();
        }

        return Raise(_options.OnClosed, new CircuitTransitionArguments(Name, CircuitState.Closed, generation, isManual: true), CircuitBreakerConstants.OnClosedEvent);
    }

    public void ResetCounters()
    {
        lock (_lock)
        {
            _metrics = CreateMetrics();
            _consecutiveFailures = 0;
            _consecutiveTrips = 0;
        }
    }

    private ValueTask RecordClosed(long current, bool failure, bool slow, ResilienceContext? context)
    {
        if (_options.ConsecutiveFailureThreshold is { } threshold)
        {
            if (failure)
            {
                if (Interlocked.Increment(ref _consecutiveFailures) >= threshold)
                {
                    return Trip(current, CircuitOpenReason.ConsecutiveFailures, context);
                }
            }
            else if (Volatile.Read(ref _consecutiveFailures) != 0)
            {
                // Only written when it changes: the steady success path writes nothing shared.
                Volatile.Write(ref _consecutiveFailures, 0);
            }

            return default;
        }

        var metrics = Volatile.Read(ref _metrics)!;
        var timestamp = _options.SamplingWindow == SamplingWindow.TimeBased ? WindowTimestamp() : 0;
        metrics.Record(failure, slow, timestamp);
        if (!failure && !slow)
        {
            return default;
        }

        var snapshot = metrics.Snapshot(timestamp);
        if (snapshot.Calls < _options.MinimumThroughput)
        {
            return default;
        }

        if (failure && snapshot.Failures >= _options.FailureRatio * snapshot.Calls)
        {
            return Trip(current, CircuitOpenReason.FailureRatio, context);
        }

        if (slow && snapshot.Slow >= _options.SlowCallRatio * snapshot.Calls)
        {
            return Trip(current, CircuitOpenReason.SlowCallRatio, context);
        }

        return default;
    }

    private ValueTask Trip(long expected, CircuitOpenReason reason, ResilienceContext? context)
    {
        if (_options.MetricsOnly)
        {
            // Metrics-only: report the threshold crossing, never block.
            _telemetry.Report(CircuitBreakerConstants.OnOpenedEvent + ".MetricsOnly");
            return default;
        }

        return Open(expected, reason, context);
    }

    private ValueTask Open(long expected, CircuitOpenReason reason, ResilienceContext? context)
    {
        TimeSpan duration;
        long generation;
        Exception? generatorFailure;
        lock (_lock)
        {
            if (Volatile.Read(ref _stateAndGeneration) != expected)
            {
                // Another caller already moved the state on; this result belongs to the past.
                return default;
            }

            _consecutiveTrips++;
            duration = BreakDuration(reason, context, out generatorFailure);
            _lastOpenedAt = _time.GetUtcNow();
            _lastBreakTicks = ToTimestampTicks(duration);
            Volatile.Write(ref _blockedUntil, _time.GetTimestamp() + _lastBreakTicks);
            generation = Transition_NeedsLock(CircuitState.Open);
        }

        var raised = RaiseOpened(reason, duration, generation);
        if (generatorFailure is null)
        {
            return raised;
        }

        // The breaker opened for the configured duration all the same; the generator's failure reaches the caller
        // whose result tripped it, like any user callback's (the OnOpened task is left to run on).
        return ValueTask.FromException(generatorFailure);
    }

    private ValueTask Close(long expected, bool isManual)
    {
        long generation;
        lock (_lock)
        {
            if (Volatile.Read(ref _stateAndGeneration) != expected)
            {
                return default;
            }

            generation = EnterClosed_NeedsLock();
        }

        return Raise(_options.OnClosed, new CircuitTransitionArguments(Name, CircuitState.Closed, generation, isManual), CircuitBreakerConstants.OnClosedEvent);
    }

    private bool TryAcquireSlow(out CircuitPermit permit, out Exception? rejection, out ValueTask raised, ResilienceContext? context)
    {
        permit = default;
        rejection = null;
        raised = default;
        long halfOpened = -1;
        CircuitOpenReason? timedOut = null;
        long timedOutState = 0;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            switch (State)
            {
                case CircuitState.Closed:
                    permit = new CircuitPermit(Generation, IsProbe: false);
                    return true;
                case CircuitState.Isolated:
                    rejection = new IsolatedCircuitException(_isolatedMessage) { PipelineName = Name };
                    return false;
                case CircuitState.Open when now < _blockedUntil:
                    var retryAfter = _time.GetElapsedTime(now, _blockedUntil);
                    rejection = new BrokenCircuitException(_openMessage, retryAfter, _lastFailure) { PipelineName = Name };
                    return false;
                case CircuitState.Open:
                    halfOpened = Transition_NeedsLock(CircuitState.HalfOpen);
                    _halfOpenSince = now;
                    _halfOpenAdmitted = 1;
                    _halfOpenSuccesses = 0;
                    Interlocked.Increment(ref _probesInFlight);
                    permit = new CircuitPermit(halfOpened, IsProbe: true);
                    break;
                case CircuitState.HalfOpen when _halfOpenAdmitted < _options.PermittedCallsInHalfOpen:
                    _halfOpenAdmitted++;
                    Interlocked.Increment(ref _probesInFlight);
                    permit = new CircuitPermit(Generation, IsProbe: true);
                    return true;
                case CircuitState.HalfOpen when _options.MaxWaitInHalfOpen is { } maxWait && _time.GetElapsedTime(_halfOpenSince, now) >= maxWait:
                    timedOut = CircuitOpenReason.HalfOpenTimedOut;

                    // Captured under the lock: if a probe result moves the state on before Open runs, Open sees a
                    // different value and does nothing (re-reading it later could turn an Open into a second Open).
                    timedOutState = Volatile.Read(ref _stateAndGeneration);
                    break;
                default:
                    rejection = new BrokenCircuitException(_halfOpenFullMessage, HalfOpenRetryAfter_NeedsLock(now), _lastFailure) { PipelineName = Name };
                    return false;
            }
        }

        if (timedOut is { } reason)
        {
            var opened = Open(timedOutState, reason, context);

            // The breaker has just opened for a break of more than zero, so this call is rejected; the event goes
            // back with the rejection.
            var admitted = TryAcquire(out permit, out rejection, out var next, context);
            raised = opened.IsCompletedSuccessfully ? next : opened;
            return admitted;
        }

        raised = Raise(_options.OnHalfOpened, new CircuitTransitionArguments(Name, CircuitState.HalfOpen, halfOpened, isManual: false), CircuitBreakerConstants.OnHalfOpenedEvent);
        return true;
    }

    // Nobody knows when the probes in flight will report, so there is no true answer; Polly's is the break duration
    // counted from the moment the probe was let through, and a migrated caller that waits on RetryAfter keeps working
    // with it. Once a probe outlasts a break it is zero: a slot may free at any moment.
    private TimeSpan HalfOpenRetryAfter_NeedsLock(long now)
    {
        var until = _halfOpenSince + _lastBreakTicks;
        return now < until ? _time.GetElapsedTime(now, until) : TimeSpan.Zero;
    }

    private long EnterClosed_NeedsLock()
    {
        _metrics = CreateMetrics();
        _consecutiveFailures = 0;
        _consecutiveTrips = 0;
        return Transition_NeedsLock(CircuitState.Closed);
    }

    private long Transition_NeedsLock(CircuitState state)
    {
        var generation = (Volatile.Read(ref _stateAndGeneration) >> StateBits) + 1;
        Volatile.Write(ref _stateAndGeneration, (generation << StateBits) | (long)state);
        return generation;
    }

    private TimeSpan BreakDuration(CircuitOpenReason reason, ResilienceContext? context, out Exception? failure)
    {
        failure = null;
        if (_options.BreakDurationGenerator is { } generator)
        {
#pragma warning disable CA1031 // A failing generator must not keep the breaker from opening: the configured duration is used, and the failure goes to the caller.
            try
            {
                var (rate, count) = FailureStatistics_NeedsLock();
                var generated = generator(new BreakDurationGeneratorArguments(_consecutiveTrips, reason, _options.BreakDuration, rate, count, context));
                if (generated > TimeSpan.Zero)
                {
                    // Bounded like the option, so a huge value cannot overflow the deadline arithmetic.
                    return generated > CircuitBreakerConstants.MaxBreakDuration ? CircuitBreakerConstants.MaxBreakDuration : generated;
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }
#pragma warning restore CA1031
        }

        return _options.BreakDuration;
    }

    // What the breaker saw, for the generator (Polly's failure rate and count): the window's failures over its calls;
    // in consecutive-failure mode there is no window, so the run of failures (all of them failed, a rate of 1).
    // The window is kept while open and half-open, so a probe's failure reports the numbers that opened it before.
    private (double Rate, int Count) FailureStatistics_NeedsLock()
    {
        if (Volatile.Read(ref _metrics) is { } metrics)
        {
            var snapshot = metrics.Snapshot(_options.SamplingWindow == SamplingWindow.TimeBased ? WindowTimestamp() : 0);
            var failures = (int)Math.Min(snapshot.Failures, int.MaxValue);
            return (snapshot.Calls == 0 ? 0 : (double)snapshot.Failures / snapshot.Calls, failures);
        }

        var run = Volatile.Read(ref _consecutiveFailures);
        return (run > 0 ? 1 : 0, run);
    }

    private long ToTimestampTicks(TimeSpan duration)
    {
        var ticks = duration.TotalSeconds * _time.TimestampFrequency;
        return ticks >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)ticks;
    }

    private HealthMetrics? CreateMetrics() => _options.ConsecutiveFailureThreshold is not null
        ? null
        : _options.SamplingWindow == SamplingWindow.CountBased
            ? new CountWindowMetrics(_options.WindowSize)
            : new TimeWindowMetrics(_options.SamplingDuration, _options.BucketCount, _coarseWindowClock ? TimeSpan.MillisecondsPerSecond : _time.TimestampFrequency);

    private long WindowTimestamp() => _coarseWindowClock ? Environment.TickCount64 : _time.GetTimestamp();

    private ValueTask RaiseOpened(CircuitOpenReason reason, TimeSpan duration, long generation)
        => Raise(_options.OnOpened, new OnCircuitOpenedArguments(Name, reason, duration, generation), CircuitBreakerConstants.OnOpenedEvent);

    // Raised by the caller that made the transition, outside the lock; that caller awaits the event, and a failure
    // of the callback becomes its outcome (the state has changed all the same).
    private ValueTask Raise<TArgs>(Func<TArgs, ValueTask>? callback, TArgs args, string eventName)
        => EventRaiser.RaiseAsync(callback, args, _telemetry, eventName);
}
