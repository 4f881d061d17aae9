namespace Resilience.Compensation.Internal;

/// <summary>
/// A step still to compensate: its index and its compensation, or none when the compensation was a delegate that
/// existed only in the memory of a process that stopped (a lost step).
/// </summary>
internal readonly struct PendingStep
{
    private PendingStep(int index, CompensationStep step, bool lost)
    {
        Index = index;
        Step = step;
        IsLost = lost;
    }

    public int Index { get; }

    public CompensationStep Step { get; }

    public bool IsLost { get; }

    public static PendingStep Runnable(int index, CompensationStep step) => new(index, step, lost: false);

    public static PendingStep Lost(int index) => new(index, default, lost: true);
}
