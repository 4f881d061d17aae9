namespace Resilience.Samples.AspNetCore;

/// <summary>
/// The flaky "inventory service": fails while <see cref="Failing"/> is set (toggle it with POST /downstream/failing).
/// </summary>
public sealed class Downstream
{
    private int _calls;
    private int _processorCalls;

    /// <summary>Gets or sets a value indicating whether every call fails with 503.</summary>
    public bool Failing { get; set; }

    /// <summary>Gets how many calls reached the service over HTTP: the order pipeline's attempts.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets how many calls the dead letter processor's handler made.</summary>
    /// <remarks>
    /// Counted apart from <see cref="Calls"/>: the processor retries on its own schedule, so its calls can land at any
    /// moment between two orders.
    /// </remarks>
    public int ProcessorCalls => Volatile.Read(ref _processorCalls);

    /// <summary>Counts a call over HTTP.</summary>
    public void Hit() => Interlocked.Increment(ref _calls);

    /// <summary>Counts a call from the dead letter processor.</summary>
    public void HitFromProcessor() => Interlocked.Increment(ref _processorCalls);
}
