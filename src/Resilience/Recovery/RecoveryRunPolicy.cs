using Resilience.CircuitBreaker;
using Resilience.Internal;
using Resilience.Recovery.Internal;
using Resilience.Retry;

namespace Resilience.Recovery;

/// <summary>
/// Decides when a workflow may run again automatically. Consulted for <see cref="RecoveryTrigger.Automatic"/> triggers
/// only, under the workflow's lock, so it must be quick and must not block.
/// </summary>
public abstract class RecoveryRunPolicy
{
    /// <summary>Decides whether an automatic run may start now.</summary>
    /// <param name="context">The workflow, the time and its recent runs.</param>
    /// <returns>The decision.</returns>
    public abstract RecoveryRunDecision Evaluate(RecoveryPolicyContext context);

    /// <summary>
    /// Waits between automatic runs after failures: after <c>n</c> failed runs in a row, the next may start
    /// <c>delay(n - 1)</c> after the last one ended, with the retry strategy's backoff maths (no jitter). A successful
    /// run resets the count.
    /// </summary>
    /// <param name="backoff">How the delay grows; <see cref="BackoffType.DecorrelatedJitter"/> is not supported (it is random).</param>
    /// <param name="baseDelay">The delay after the first failure.</param>
    /// <param name="maxDelay">The longest delay.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it.</exception>
    public static RecoveryRunPolicy Backoff(BackoffType backoff, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        if (backoff is not (BackoffType.Constant or BackoffType.Linear or BackoffType.Exponential or BackoffType.Fibonacci))
        {
            throw new ArgumentOutOfRangeException(nameof(backoff), backoff, "The recovery backoff must be Constant, Linear, Exponential or Fibonacci.");
        }

        OptionGuard.Positive(baseDelay, nameof(baseDelay));
        OptionGuard.Positive(maxDelay, nameof(maxDelay));
        return new BackoffRunPolicy(backoff, baseDelay, maxDelay);
    }

    /// <summary>Allows at most <paramref name="maxRuns"/> runs (of any trigger) to start within any <paramref name="window"/>.</summary>
    /// <param name="maxRuns">The most runs per window, at least 1.</param>
    /// <param name="window">The sliding window.</param>
    /// <returns>The policy.</returns>
    /// <remarks>Runs that left the workflow's history are no longer counted: keep the history at least <paramref name="maxRuns"/> long.</remarks>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it.</exception>
    public static RecoveryRunPolicy TimeWindow(int maxRuns, TimeSpan window)
    {
        OptionGuard.InRange(maxRuns, 1, int.MaxValue, nameof(maxRuns));
        OptionGuard.Positive(window, nameof(window));
        return new TimeWindowRunPolicy(maxRuns, window);
    }

    /// <summary>
    /// Does not run while the named breaker is open before its break elapses (the run is deferred to the moment it
    /// elapses), nor while it is isolated by hand. A breaker the registry does not know allows the run.
    /// </summary>
    /// <param name="registry">The registry holding the breaker.</param>
    /// <param name="breakerName">The breaker's name.</param>
    /// <returns>The policy.</returns>
    public static RecoveryRunPolicy BreakerAligned(CircuitBreakerRegistry registry, string breakerName)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrEmpty(breakerName);
        return new BreakerAlignedRunPolicy(registry, breakerName);
    }

    /// <summary>
    /// Backs off harder the more of the recent runs failed, even when successes come in between (a flapping
    /// dependency): with <c>f</c> failed runs among the last <paramref name="sampleSize"/>, the next may start
    /// <c>baseDelay · 2^(f - 1)</c> (capped) after the last one ended; no failure, no wait.
    /// </summary>
    /// <param name="sampleSize">How many recent runs to look at, at least 1.</param>
    /// <param name="baseDelay">The delay when one of them failed.</param>
    /// <param name="maxDelay">The longest delay.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it.</exception>
    public static RecoveryRunPolicy Adaptive(int sampleSize, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        OptionGuard.InRange(sampleSize, 1, 10_000, nameof(sampleSize));
        OptionGuard.Positive(baseDelay, nameof(baseDelay));
        OptionGuard.Positive(maxDelay, nameof(maxDelay));
        return new AdaptiveRunPolicy(sampleSize, baseDelay, maxDelay);
    }

    /// <summary>Allows a run only when every policy allows it; when deferred, the latest known time wins.</summary>
    /// <param name="policies">The policies, at least one.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentException"><paramref name="policies"/> is empty or holds a <see langword="null"/>.</exception>
    public static RecoveryRunPolicy Composite(params RecoveryRunPolicy[] policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        if (policies.Length == 0 || Array.Exists(policies, p => p is null))
        {
            throw new ArgumentException("A composite recovery policy needs at least one policy, and no null.", nameof(policies));
        }

        return new CompositeRunPolicy([.. policies]);
    }
}
