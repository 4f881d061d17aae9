namespace Resilience.Retry;

/// <summary>
/// A token bucket shared by any number of retry strategies that keeps retries a small fraction of traffic: each retry
/// costs tokens, successes put some back, and when the bucket is empty failures are returned without retrying —
/// so a struggling dependency is not hit by a retry storm.
/// </summary>
/// <remarks>
/// Defaults follow the AWS SDK "standard" retry mode: 500 tokens, 5 per retry, 1 back for a success at the first
/// attempt, and the cost of the last retry back for a success that needed retries. A full bucket therefore allows a
/// burst of 100 retries, and refills after 500 first-try successes. Thread-safe and lock-free.
/// </remarks>
public sealed class RetryBudget
{
    private int _tokens;
    private long _denied;

    /// <summary>
    /// Initializes a new instance of the <see cref="RetryBudget"/> class.
    /// </summary>
    /// <param name="capacity">The bucket size, and its initial content.</param>
    /// <param name="retryCost">Tokens a retry costs.</param>
    /// <param name="successRefill">Tokens a first-try success puts back.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive, or the cost exceeds the capacity.</exception>
    public RetryBudget(int capacity = 500, int retryCost = 5, int successRefill = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(retryCost);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(retryCost, capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(successRefill);
        Capacity = capacity;
        RetryCost = retryCost;
        SuccessRefill = successRefill;
        _tokens = capacity;
    }

    /// <summary>Gets the bucket size.</summary>
    public int Capacity { get; }

    /// <summary>Gets the tokens a retry costs.</summary>
    public int RetryCost { get; }

    /// <summary>Gets the tokens a first-try success puts back.</summary>
    public int SuccessRefill { get; }

    /// <summary>Gets the tokens available now.</summary>
    public int Available => Volatile.Read(ref _tokens);

    /// <summary>Gets how many retries the budget has refused so far.</summary>
    public long RetriesDenied => Interlocked.Read(ref _denied);

    internal bool TryAcquire()
    {
        var current = Volatile.Read(ref _tokens);
        while (true)
        {
            if (current < RetryCost)
            {
                Interlocked.Increment(ref _denied);
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _tokens, current - RetryCost, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    internal void RecordSuccess(bool afterRetry) => Refill(afterRetry ? RetryCost : SuccessRefill);

    private void Refill(int amount)
    {
        // A full bucket is the common case: skip the interlocked write entirely.
        var current = Volatile.Read(ref _tokens);
        while (current < Capacity && amount > 0)
        {
            var seen = Interlocked.CompareExchange(ref _tokens, Math.Min(Capacity, current + amount), current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
