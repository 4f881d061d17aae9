namespace Resilience.PostgreSql.Internal;

/// <summary>
/// The checks the PostgreSQL store's and journal's options share; each failure names the option, as
/// <c>PostgreSqlDeadLetterStoreOptions.LeaseDuration</c>.
/// </summary>
internal static class PostgreSqlOptionChecks
{
    public static void InRange(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }
    }

    public static void AtLeast(TimeSpan value, TimeSpan min, string name)
    {
        if (value < min || value > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and 1 day.");
        }
    }

    /// <summary>Checks what both option types have alike: the instance id and the time provider.</summary>
    /// <param name="instanceId">The configured instance id, if any.</param>
    /// <param name="timeProvider">The configured time provider.</param>
    /// <param name="optionsType">The options type's name, for the messages.</param>
    /// <param name="paramName">The caller's parameter holding the options.</param>
    public static void Instance(string? instanceId, TimeProvider? timeProvider, string optionsType, string paramName)
    {
        if (instanceId is { Length: 0 or > 200 })
        {
            throw new ArgumentException($"{optionsType}.InstanceId must be 1 to 200 characters when set.", paramName);
        }

        if (timeProvider is null)
        {
            throw new ArgumentException($"{optionsType}.TimeProvider must not be null.", paramName);
        }
    }
}
