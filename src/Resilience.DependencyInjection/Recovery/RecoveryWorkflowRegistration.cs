namespace Resilience.DependencyInjection;

/// <summary>The name of a workflow registered with <c>AddRecoveryWorkflow</c> (the keyed workflow's key).</summary>
internal sealed record RecoveryWorkflowRegistration(string Name);
