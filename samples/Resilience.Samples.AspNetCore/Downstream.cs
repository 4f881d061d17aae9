namespace Resilience.Samples.AspNetCore;

/// <summary>
/// The flaky "inventory service": fails while <see cref="Failing"/> is set (toggle it with POST /downstream/failing).
/// </summary>
public sealed class Downstream
{
    private int _calls;

    /// <summary>Gets or sets a value indicating whether every call fails with 503.</summary>
    public bool Failing { get; set; }

    /// <summary>Gets how many calls reached the service.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Counts a call.</summary>
    public void Hit() => Interlocked.Increment(ref _calls);
}
