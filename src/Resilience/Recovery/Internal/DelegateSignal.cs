namespace Resilience.Recovery.Internal;

/// <summary>A signal from a user's check.</summary>
internal sealed class DelegateSignal(string name, string workflowName, Func<CancellationToken, ValueTask<RecoverySignalResult>> check)
    : RecoverySignal(name, workflowName)
{
    public override ValueTask<RecoverySignalResult> CheckAsync(CancellationToken cancellationToken) => check(cancellationToken);
}
