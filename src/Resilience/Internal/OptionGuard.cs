using System.Globalization;

namespace Resilience.Internal;

/// <summary>
/// Validates strategy options when a strategy is added to a builder, with messages that name the option
/// (<c>RetryStrategyOptions.BaseDelay</c>) and the bad value.
/// </summary>
internal static class OptionGuard
{
    /// <summary>
    /// The longest any duration option may be (delays, timeouts, break durations, queue timeouts), as in Polly: far
    /// below what timers accept (about 49.7 days) and what timestamp arithmetic can add without overflowing.
    /// </summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public static T NotNull<T>(T? value, string optionName)
        where T : class
        => value ?? throw new ArgumentNullException(optionName, $"The option '{optionName}' must not be null.");

    public static void Positive(TimeSpan value, string optionName)
    {
        if (value <= TimeSpan.Zero)
        {
            throw OutOfRange(optionName, value, "must be greater than zero");
        }
    }

    public static void NotNegative(TimeSpan value, string optionName)
    {
        if (value < TimeSpan.Zero)
        {
            throw OutOfRange(optionName, value, "must not be negative");
        }
    }

    /// <summary>Rejects a duration above <see cref="MaxDuration"/> (an infinite one is the caller's to allow or not).</summary>
    public static void AtMostMaxDuration(TimeSpan value, string optionName)
    {
        if (value > MaxDuration)
        {
            throw new ArgumentOutOfRangeException(optionName, value, $"{optionName} must be at most {Format(MaxDuration)}; it was {Format(value)}.");
        }
    }

    public static void InRange(int value, int min, int max, string optionName)
    {
        if (value < min || value > max)
        {
            throw OutOfRange(optionName, value, $"must be between {min} and {max}");
        }
    }

    public static void InRange(double value, double minExclusive, double maxInclusive, string optionName)
    {
        if (double.IsNaN(value) || value <= minExclusive || value > maxInclusive)
        {
            throw OutOfRange(optionName, value, $"must be greater than {minExclusive.ToString(CultureInfo.InvariantCulture)} and at most {maxInclusive.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    public static void NotEmpty(string? value, string optionName)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"The option '{optionName}' must not be empty.", optionName);
        }
    }

    public static void InRange(long value, long min, long max, string optionName)
    {
        if (value < min || value > max)
        {
            throw OutOfRange(optionName, value, $"must be between {min} and {max}");
        }
    }

    public static ArgumentOutOfRangeException OutOfRange(string optionName, object value, string rule)
        => new(optionName, value, $"The option '{optionName}' {rule}; it was {Format(value)}.");

    private static string Format(object value) => value switch
    {
        TimeSpan span when span == System.Threading.Timeout.InfiniteTimeSpan => "infinite",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
