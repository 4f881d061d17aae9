namespace Resilience.Retry.Internal;

/// <summary>
/// Reads a server's <c>Retry-After</c> (delta seconds or an HTTP date) from a response result.
/// </summary>
internal static class RetryAfter
{
    public static bool TryGet<T>(in Outcome<T> outcome, TimeProvider timeProvider, out TimeSpan delay)
    {
        delay = default;
        if (outcome.Result is not HttpResponseMessage response || response.Headers.RetryAfter is not { } header)
        {
            return false;
        }

        if (header.Delta is { } delta)
        {
            delay = delta;
        }
        else if (header.Date is { } date)
        {
            delay = date - timeProvider.GetUtcNow();
        }
        else
        {
            return false;
        }

        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }

        return true;
    }
}
