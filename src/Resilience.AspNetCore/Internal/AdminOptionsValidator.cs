namespace Resilience.AspNetCore.Internal;

/// <summary>Checks the options once, when they are registered, naming the bad one.</summary>
internal static class AdminOptionsValidator
{
    public static void Validate(ResilienceAdminOptions options)
    {
        if (options.MutationsPerMinute < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MutationsPerMinute, "ResilienceAdminOptions.MutationsPerMinute must be at least 1.");
        }

        if (double.IsNaN(options.MaxReplayPerSecond) || double.IsInfinity(options.MaxReplayPerSecond) || options.MaxReplayPerSecond < 0.001)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxReplayPerSecond, "ResilienceAdminOptions.MaxReplayPerSecond must be a finite number of at least 0.001.");
        }

        if (options.MaxPageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxPageSize, "ResilienceAdminOptions.MaxPageSize must be at least 1.");
        }
    }
}
