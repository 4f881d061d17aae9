namespace Resilience.RateLimiting;

/// <summary>
/// Raised when a rate limiter refuses a call.
/// </summary>
public sealed class RateLimiterRejectedException : ExecutionRejectedException
{
    /// <summary>Initializes a new instance of the <see cref="RateLimiterRejectedException"/> class.</summary>
    public RateLimiterRejectedException()
        : base("The rate limiter refused the call; it was not attempted.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RateLimiterRejectedException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public RateLimiterRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RateLimiterRejectedException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RateLimiterRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RateLimiterRejectedException"/> class with the limiter's advice.</summary>
    /// <param name="message">The message.</param>
    /// <param name="retryAfter">When the limiter expects to have permits again, if it said.</param>
    public RateLimiterRejectedException(string message, TimeSpan? retryAfter)
        : base(message)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>Gets when the limiter expects to have permits again, if it said (token bucket and window limiters do).</summary>
    public TimeSpan? RetryAfter { get; }
}
