using Npgsql;
using Resilience.Retry;

namespace Resilience.PostgreSql.Internal;

/// <summary>
/// Which PostgreSQL failures are worth trying again, and the retry pipeline (our own retry strategy) every command of
/// the store runs through. Each retried unit is a whole transaction, so retrying a serialization failure or a deadlock
/// victim is sound.
/// </summary>
internal static class PostgresTransientErrors
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => IsTransientSqlState(pg.SqlState) || pg.IsTransient,
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };

    public static bool IsTransientSqlState(string? sqlState) => sqlState is not null && (
        sqlState == PostgresErrorCodes.SerializationFailure // 40001
        || sqlState == PostgresErrorCodes.DeadlockDetected // 40P01
        || sqlState == PostgresErrorCodes.AdminShutdown // 57P01
        || sqlState == PostgresErrorCodes.CannotConnectNow // 57P03
        || sqlState == PostgresErrorCodes.TooManyConnections // 53300
        || sqlState.StartsWith("08", StringComparison.Ordinal)); // connection exceptions

    public static ResiliencePipeline CreatePipeline(int maxRetries, TimeProvider timeProvider, TimeSpan? baseDelay = null)
    {
        if (maxRetries == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxRetries,
                BackoffType = BackoffType.Exponential,
                BaseDelay = baseDelay ?? TimeSpan.FromMilliseconds(50),
                MaxDelay = TimeSpan.FromSeconds(2),
                ShouldHandle = static outcome => outcome.Exception is { } ex && IsTransient(ex),
            })
            .Build();
    }
}
