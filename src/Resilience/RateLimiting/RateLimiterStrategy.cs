using System.Threading.RateLimiting;
using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.RateLimiting;

/// <summary>
/// Acquires one permit per call from a <see cref="RateLimiter"/>, runs the call holding the lease, and always disposes
/// the lease — on success, failure, rejection and cancellation alike — except an acquired lease of a replenishing
/// limiter the builder made, which releases nothing (see the constructor's <c>releasesByTime</c>).
/// </summary>
internal sealed class RateLimiterStrategy : ResilienceStrategy
{
    private readonly RateLimiter _limiter;
    private readonly bool _neverQueues;
    private readonly bool _releasesByTime;
    private readonly Func<OnRateLimiterRejectedArguments, ValueTask>? _onRejected;
    private readonly ResilienceTelemetry _telemetry;

    /// <param name="limiter">The limiter.</param>
    /// <param name="neverQueues">The limiter has no queue, so it may be asked with the synchronous <c>AttemptAcquire</c>.</param>
    /// <param name="releasesByTime">
    /// The limiter is a token bucket, fixed window or sliding window the builder made: its permits come back with time,
    /// never with a lease ("replenishes tokens periodically instead of via a release mechanism"), and its acquired lease
    /// is one shared instance (pinned by a test), so disposing it releases nothing. Such a call runs without holding or
    /// disposing the lease: one virtual call and the completion check fewer. A limiter handed in is never assumed to be
    /// one (a custom limiter may pool its leases, and a chained one holds a concurrency lease inside).
    /// </param>
    /// <param name="onRejected">The rejection callback.</param>
    /// <param name="telemetry">The telemetry.</param>
    public RateLimiterStrategy(RateLimiter limiter, bool neverQueues, bool releasesByTime, Func<OnRateLimiterRejectedArguments, ValueTask>? onRejected, ResilienceTelemetry telemetry)
    {
        _limiter = limiter;
        _neverQueues = neverQueues;
        _releasesByTime = releasesByTime;
        _onRejected = onRejected;
        _telemetry = telemetry;
    }

    protected internal override ValueTask<Outcome<T>> ExecuteCore<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        // One ask per call, never an AttemptAcquire before an AcquireAsync: the refused attempt would count as a failed
        // lease in the limiter's own statistics, so every rejection would be reported twice.
#pragma warning disable CA1031 // The limiter may be the caller's code: whatever it throws is this call's outcome, never a throw.
        if (_neverQueues)
        {
            RateLimitLease lease;
            try
            {
                lease = _limiter.AttemptAcquire(1);
            }
            catch (Exception ex)
            {
                return Outcome.FromExceptionAsValueTask<T>(ex);
            }

            // Outside the handler: the rest of the pipeline never throws, and the ask is all the handler is for.
            // The common case returns the rest of the pipeline's task from here, not through a helper's branches: the
            // JIT copied a task that came back through them whole, right after it was written (a stalled load).
            if (lease.IsAcquired && _releasesByTime)
            {
                return callback(context, state);
            }

            return Execute(lease, callback, context, state);
        }

        ValueTask<RateLimitLease> acquiring;
        try
        {
            acquiring = _limiter.AcquireAsync(1, context.CancellationToken);
        }
        catch (Exception ex)
        {
            // Cancelled while asking, the pipeline (which owned the limiter) disposed, or a limiter's own failure.
            return Outcome.FromExceptionAsValueTask<T>(ex);
        }
#pragma warning restore CA1031

        if (acquiring.IsCompletedSuccessfully)
        {
            return Execute(acquiring.Result, callback, context, state);
        }

        // A queueing limiter: the synchronous path blocks here (documented); the asynchronous one awaits.
        return AcquireThenExecuteAsync(acquiring, callback, context, state);
    }

    private async ValueTask<Outcome<T>> AcquireThenExecuteAsync<T, TState>(
        ValueTask<RateLimitLease> acquiring,
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        RateLimitLease lease;
#pragma warning disable CA1031 // See ExecuteCore: the limiter's failure, whatever it is, is the outcome.
        try
        {
            lease = await acquiring.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031

        return await Execute(lease, callback, context, state).ConfigureAwait(false);
    }

    private ValueTask<Outcome<T>> Execute<T, TState>(RateLimitLease lease, Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state)
    {
        if (!lease.IsAcquired)
        {
            return RejectAsync<T>(lease, context);
        }

        // Nothing to release: the rest of the pipeline's task is this call's task.
        if (_releasesByTime)
        {
            return callback(context, state);
        }

        return ExecuteHoldingLease(lease, callback, context, state);
    }

    private static ValueTask<Outcome<T>> ExecuteHoldingLease<T, TState>(RateLimitLease lease, Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state)
    {
        ValueTask<Outcome<T>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        // The callback never faults its task (failures are outcomes), so a completed one is read without a finally.
        if (pending.IsCompletedSuccessfully)
        {
            var outcome = pending.Result;
            lease.Dispose();
            return new ValueTask<Outcome<T>>(outcome);
        }

        return AwaitThenDisposeAsync(pending, lease);
    }

    private static async ValueTask<Outcome<T>> AwaitThenDisposeAsync<T>(ValueTask<Outcome<T>> pending, RateLimitLease lease)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            lease.Dispose();
        }
    }

    private async ValueTask<Outcome<T>> RejectAsync<T>(RateLimitLease lease, ResilienceContext context)
    {
        using (lease)
        {
            TimeSpan? retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;
            var message = retryAfter is { } wait
                ? $"The rate limiter{PipelineText()} refused the call; permits are expected again in {wait}."
                : $"The rate limiter{PipelineText()} refused the call; it was not attempted.";
            await EventRaiser.RaiseAsync(_onRejected, new OnRateLimiterRejectedArguments(context, lease), _telemetry, RateLimiterConstants.OnRejectedEvent).ConfigureAwait(false);
            return Outcome.FromException<T>(new RateLimiterRejectedException(message, retryAfter) { PipelineName = _telemetry.PipelineName });
        }
    }

    private string PipelineText() => _telemetry.PipelineName is null ? string.Empty : $" of pipeline '{_telemetry.PipelineName}'";
}
