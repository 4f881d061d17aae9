namespace Resilience.Batch;

/// <summary>
/// A snapshot of a running batch, reported to <see cref="BatchOptions{TItem}.Progress"/> each time an item starts or finishes.
/// </summary>
public readonly struct BatchProgress
{
    /// <summary>Initializes a new instance of the <see cref="BatchProgress"/> struct.</summary>
    /// <param name="succeeded">Items that succeeded so far.</param>
    /// <param name="failed">Items that failed so far (dead-lettered or not).</param>
    /// <param name="inFlight">Items running now.</param>
    public BatchProgress(int succeeded, int failed, int inFlight)
    {
        Succeeded = succeeded;
        Failed = failed;
        InFlight = inFlight;
    }

    /// <summary>Gets the number of items that succeeded so far.</summary>
    public int Succeeded { get; }

    /// <summary>Gets the number of items that failed so far, after their retries (and dead-lettering, when configured).</summary>
    public int Failed { get; }

    /// <summary>Gets the number of items finished so far: <see cref="Succeeded"/> plus <see cref="Failed"/>.</summary>
    public int Done => Succeeded + Failed;

    /// <summary>Gets the number of items running now.</summary>
    public int InFlight { get; }
}
