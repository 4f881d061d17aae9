namespace Resilience.Compensation.Internal;

/// <summary>
/// Builds step results, sharing one instance per index for the successes of the first steps: a success carries
/// nothing but its index, and the record is immutable, so a rollback of no-op steps allocates no result per step.
/// </summary>
internal static class StepResults
{
    private const int Shared = 128;

    private static readonly CompensationStepResult?[] Successes = new CompensationStepResult?[Shared];

    public static CompensationStepResult For(int index, Exception? failure)
    {
        if (failure is not null)
        {
            return new CompensationStepResult(index, false, failure);
        }

        if ((uint)index >= Shared)
        {
            return new CompensationStepResult(index, true, null);
        }

        // A race builds two equal instances and keeps either: harmless.
        return Successes[index] ??= new CompensationStepResult(index, true, null);
    }
}
