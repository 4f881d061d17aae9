using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.DeadLetter;

/// <summary>
/// Sends handled failures to a dead letter queue and returns them unchanged.
/// </summary>
internal sealed class DeadLetterStrategy : ResilienceStrategy
{
    private readonly DeadLetterQueue _queue;
    private readonly string _operationType;
    private readonly Func<ResilienceContext, byte[]?> _payloadFactory;
    private readonly Func<ResilienceContext, IReadOnlyDictionary<string, string>?>? _contextFactory;
    private readonly ShouldHandlePredicate<object> _shouldHandle;
    private readonly ResilienceTelemetry _telemetry;

    public DeadLetterStrategy(DeadLetterStrategyOptions options, bool exceptionsOnly, ResilienceTelemetry telemetry)
    {
        _queue = options.Queue!;
        _operationType = options.OperationType!;
        _payloadFactory = options.PayloadFactory!;
        _contextFactory = options.ContextFactory;
        _shouldHandle = new ShouldHandlePredicate<object>(options.ShouldHandle, exceptionsOnly);
        _telemetry = telemetry;
    }

    protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var pending = callback(context, state);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitThenDeadLetterAsync(pending, context);
        }

        var outcome = pending.Result;
        return outcome.Exception is not null && _shouldHandle.ShouldHandle(outcome, context)
            ? DeadLetterAsync(outcome, context)
            : new ValueTask<Outcome<TResult>>(outcome);
    }

    private async ValueTask<Outcome<TResult>> AwaitThenDeadLetterAsync<TResult>(ValueTask<Outcome<TResult>> pending, ResilienceContext context)
    {
        var outcome = await pending.ConfigureAwait(false);
        return outcome.Exception is not null && _shouldHandle.ShouldHandle(outcome, context)
            ? await DeadLetterAsync(outcome, context).ConfigureAwait(false)
            : outcome;
    }

    private async ValueTask<Outcome<TResult>> DeadLetterAsync<TResult>(Outcome<TResult> outcome, ResilienceContext context)
    {
        var exception = outcome.Exception!;

#pragma warning disable CA1031 // The caller must get the original failure even when dead-lettering it fails; telemetry records that.
        try
        {
            var payload = _payloadFactory(context);
            if (payload is not null)
            {
                var reason = exception is ExecutionRejectedException ? DeadLetterFailureReason.Rejected : DeadLetterFailureReason.MaxRetriesExceeded;

                // Not the caller's token: once the call has failed, its entry must be written even if the caller gives up.
                await _queue.AddAsync(_operationType, payload, exception, reason, _contextFactory?.Invoke(context), CancellationToken.None).ConfigureAwait(false);
                _telemetry.Report("OnDeadLettered");
            }
        }
        catch (Exception ex)
        {
            _telemetry.ReportCallbackFailure("OnDeadLettered", ex);
        }
#pragma warning restore CA1031

        return outcome;
    }
}
