namespace Resilience.Batch;

/// <summary>
/// What a batch does with the items already running when its cancellation token is cancelled. Either way no new item
/// is started.
/// </summary>
public enum BatchCancellationMode
{
    /// <summary>The running items see the cancellation (their pipeline execution gets the batch's token) and usually fail with <see cref="OperationCanceledException"/>.</summary>
    CancelRunning = 0,

    /// <summary>The running items finish: their pipeline executions never see the batch's token.</summary>
    DrainRunning = 1,
}
