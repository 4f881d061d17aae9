using System.Globalization;
using Resilience.CircuitBreaker;
using Resilience.DeadLetter;
using Resilience.Internal;
using Resilience.RateLimiting;
using Resilience.Retry.Internal;

namespace Resilience.Recovery;

/// <summary>
/// Ready-made step actions for <see cref="RecoveryWorkflowBuilder.Step"/>: close a breaker, probe a dependency,
/// replay dead letters at a rate, wait for a rate limit to reset.
/// </summary>
public static class RecoverySteps
{
    /// <summary>The property-bag key a rate-limit wait reads (a <see cref="TimeSpan"/>, a <see cref="DateTimeOffset"/>, a <see cref="RateLimiterRejectedException"/> or an <see cref="HttpResponseMessage"/> with <c>Retry-After</c>).</summary>
    public const string RetryAfterProperty = "recovery.retry_after";

    /// <summary>The property-bag key prefix under which a replay step leaves how many entries it replayed (<c>recovery.replayed:{operationType}</c>).</summary>
    public const string ReplayedPropertyPrefix = "recovery.replayed:";

    /// <summary>Closes the named breaker and clears its counters.</summary>
    /// <param name="registry">The registry holding the breaker.</param>
    /// <param name="breakerName">The breaker's name.</param>
    /// <returns>The step's action; it fails with <see cref="InvalidOperationException"/> when the registry has no such breaker.</returns>
    public static Func<RecoveryStepContext, ValueTask> CloseCircuitBreaker(CircuitBreakerRegistry registry, string breakerName)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrEmpty(breakerName);
        return context =>
        {
            if (!registry.TryGet(breakerName, out var breaker))
            {
                throw new InvalidOperationException($"The circuit breaker registry has no breaker named '{breakerName}'.");
            }

            return new ValueTask(breaker.CloseAsync(context.CancellationToken));
        };
    }

    /// <summary>
    /// Pauses the retries of a dead letter operation type (its dependency is down), so its entries keep their attempts
    /// until the dependency is back; see <see cref="DeadLetterProcessor.PauseOperationType"/>.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="operationType">The operation type.</param>
    /// <param name="duration">How long at most; a later <see cref="ResumeDeadLetters"/> step ends it sooner.</param>
    /// <returns>The step's action.</returns>
    public static Func<RecoveryStepContext, ValueTask> PauseDeadLetters(DeadLetterQueue queue, string operationType, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentException.ThrowIfNullOrEmpty(operationType);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return _ =>
        {
            queue.Processor.PauseOperationType(operationType, duration);
            return default;
        };
    }

    /// <summary>Resumes the retries of a dead letter operation type at once (see <see cref="DeadLetterProcessor.ResumeOperationType"/>).</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="operationType">The operation type.</param>
    /// <returns>The step's action.</returns>
    public static Func<RecoveryStepContext, ValueTask> ResumeDeadLetters(DeadLetterQueue queue, string operationType)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentException.ThrowIfNullOrEmpty(operationType);
        return _ =>
        {
            queue.Processor.ResumeOperationType(operationType);
            return default;
        };
    }

    /// <summary>Tests a dependency with a probe call; the step fails when the probe throws.</summary>
    /// <param name="probe">The call, for example a health endpoint's GET; it gets the attempt's token.</param>
    /// <returns>The step's action.</returns>
    public static Func<RecoveryStepContext, ValueTask> Probe(Func<CancellationToken, ValueTask> probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return context => probe(context.CancellationToken);
    }

    /// <summary>Tests a dependency with a probe call; the step fails when the probe throws or answers <see langword="false"/>.</summary>
    /// <param name="probe">The call; <see langword="true"/> when the dependency is healthy.</param>
    /// <returns>The step's action.</returns>
    public static Func<RecoveryStepContext, ValueTask> Probe(Func<CancellationToken, ValueTask<bool>> probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return async context =>
        {
            if (!await probe(context.CancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"The probe of recovery step '{context.StepName}' reported the dependency unhealthy.");
            }
        };
    }

    /// <summary>
    /// Replays the waiting and exhausted dead letters of one operation type, spread so that at most
    /// <paramref name="maxPerSecond"/> attempts start each second (<see cref="DeadLetterQueue.ReplayAsync(DeadLetterQuery, double, CancellationToken)"/>).
    /// The count replayed goes to the property bag under <see cref="ReplayedPropertyPrefix"/> + type.
    /// </summary>
    /// <param name="queue">The dead letter queue.</param>
    /// <param name="operationType">The operation type.</param>
    /// <param name="maxPerSecond">The most attempts to start per second, at least 0.001.</param>
    /// <returns>The step's action.</returns>
    public static Func<RecoveryStepContext, ValueTask> ReplayDeadLetters(DeadLetterQueue queue, string operationType, double maxPerSecond)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentException.ThrowIfNullOrEmpty(operationType);
        if (double.IsNaN(maxPerSecond) || double.IsInfinity(maxPerSecond) || maxPerSecond < 0.001)
        {
            throw OptionGuard.OutOfRange(nameof(maxPerSecond), maxPerSecond, "must be a finite number of at least 0.001");
        }

        return async context =>
        {
            var replayed = await queue.ReplayAsync(new DeadLetterQuery { OperationType = operationType }, maxPerSecond, context.CancellationToken).ConfigureAwait(false);
            context.Properties[ReplayedPropertyPrefix + operationType] = replayed;
        };
    }

    /// <summary>
    /// Waits for a rate limit to reset: as long as the server or limiter said (<see cref="RetryAfterProperty"/> in the
    /// property bag, set by the trigger or an earlier step), else <paramref name="defaultWait"/>; never longer than
    /// <paramref name="maxWait"/>. The wait uses the workflow's time source and the attempt's token.
    /// </summary>
    /// <param name="defaultWait">The wait when nothing says how long.</param>
    /// <param name="maxWait">The longest wait, at most 1 day.</param>
    /// <returns>The step's action.</returns>
    public static Func<RecoveryStepContext, ValueTask> WaitForRateLimitReset(TimeSpan defaultWait, TimeSpan maxWait)
    {
        OptionGuard.NotNegative(defaultWait, nameof(defaultWait));
        OptionGuard.Positive(maxWait, nameof(maxWait));
        OptionGuard.AtMostMaxDuration(maxWait, nameof(maxWait));
        return context =>
        {
            var wait = RetryAfterOf(context) ?? defaultWait;
            wait = wait > maxWait ? maxWait : wait;
            return TimeDelay.WaitAsync(wait, context.TimeProvider, synchronous: false, context.CancellationToken);
        };
    }

    private static TimeSpan? RetryAfterOf(RecoveryStepContext context)
    {
        if (!context.Properties.TryGetValue(RetryAfterProperty, out var value))
        {
            return null;
        }

        TimeSpan? wait = value switch
        {
            TimeSpan span => span,
            DateTimeOffset at => at - context.TimeProvider.GetUtcNow(),
            RateLimiterRejectedException rejected => rejected.RetryAfter,
            HttpResponseMessage response when RetryAfter.TryGet(Outcome.FromResult(response), context.TimeProvider, out var delay) => delay,
            string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) => TimeSpan.FromSeconds(seconds),
            _ => null,
        };
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
