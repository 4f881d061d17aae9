namespace Resilience.Recovery.Internal;

/// <summary>A validated step: its options are snapshotted and its pipeline built when the workflow is built.</summary>
internal sealed class RecoveryStep
{
    public RecoveryStep(string name, Func<RecoveryStepContext, ValueTask> action, bool optional, ResiliencePipeline pipeline, Func<RecoveryStepContext, ValueTask>? compensation)
    {
        Name = name;
        Action = action;
        Optional = optional;
        Pipeline = pipeline;
        Compensation = compensation;
    }

    public string Name { get; }

    public Func<RecoveryStepContext, ValueTask> Action { get; }

    public bool Optional { get; }

    public ResiliencePipeline Pipeline { get; }

    public Func<RecoveryStepContext, ValueTask>? Compensation { get; }
}
