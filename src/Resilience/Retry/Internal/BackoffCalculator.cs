namespace Resilience.Retry.Internal;

/// <summary>
/// The pure maths of backoff and jitter. Works in floating-point ticks, so no retry number overflows (an infinite
/// or huge value simply hits the cap). The cap applies to the backoff before jitter (AWS: full jitter is
/// <c>random(0, min(cap, base·2ⁿ))</c>), so delays at the cap stay spread instead of collapsing onto it, and every
/// jitter mode keeps the result at or below the cap.
/// </summary>
internal static class BackoffCalculator
{
    private static readonly double Sqrt5 = Math.Sqrt(5);
    private static readonly double Phi = (1 + Math.Sqrt(5)) / 2;

    /// <summary>
    /// Computes the delay before retry number <paramref name="retry"/> (from 0). <paramref name="previousTicks"/> is the
    /// previous delay, which decorrelated jitter builds on (0 before the first retry); it is updated.
    /// </summary>
    public static TimeSpan Compute(
        BackoffType type,
        int retry,
        TimeSpan baseDelay,
        TimeSpan maxDelay,
        JitterMode jitter,
        double jitterRange,
        Func<double> random,
        ref double previousTicks)
    {
        double baseTicks = baseDelay.Ticks;
        double ticks;
        switch (type)
        {
            case BackoffType.Constant:
                ticks = baseTicks;
                break;
            case BackoffType.Linear:
                ticks = baseTicks * (retry + 1.0);
                break;
            case BackoffType.Exponential:
                ticks = baseTicks * Math.Pow(2, retry);
                break;
            case BackoffType.Fibonacci:
                ticks = baseTicks * Fibonacci(retry + 2);
                break;
            case BackoffType.DecorrelatedJitter:
                var previous = previousTicks <= 0 ? baseTicks : previousTicks;
                ticks = baseTicks + (random() * Math.Max(0, (previous * 3) - baseTicks));
                ticks = Cap(ticks, maxDelay);
                previousTicks = ticks;
                return TimeSpan.FromTicks((long)ticks);
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown backoff type.");
        }

        ticks = Cap(ticks, maxDelay);
        ticks = jitter switch
        {
            JitterMode.None => ticks,
            JitterMode.Full => ticks * random(),
            JitterMode.Equal => (ticks / 2) + (random() * ticks / 2),

            // ±r around the delay; the centre is held at cap / (1 + r), so the spread stays whole below the cap.
            JitterMode.Proportional => Math.Min(ticks, maxDelay.Ticks / (1 + jitterRange)) * (1 + (jitterRange * ((2 * random()) - 1))),
            _ => throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "Unknown jitter mode."),
        };

        // Only guards rounding and a randomizer outside [0, 1): every mode above already lies within [0, cap].
        return TimeSpan.FromTicks((long)Cap(ticks, maxDelay));
    }

    // Binet's formula; exact once rounded for every n whose value a double holds exactly, and +∞ (then capped) beyond.
    private static double Fibonacci(int n) => Math.Round(Math.Pow(Phi, n) / Sqrt5);

    private static double Cap(double ticks, TimeSpan maxDelay)
    {
        if (double.IsNaN(ticks) || ticks > maxDelay.Ticks)
        {
            return maxDelay.Ticks;
        }

        return ticks < 0 ? 0 : ticks;
    }
}
