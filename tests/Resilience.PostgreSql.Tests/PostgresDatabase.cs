using Npgsql;

namespace Resilience.PostgreSql.Tests;

/// <summary>
/// Where the tests find their server: RESILIENCE_POSTGRES (a connection string), which `eng/postgres.sh start` writes
/// and .ci/run exports. Without it the tests skip locally and fail in CI (CI=true), so a CI machine without the server
/// can never pass them silently.
/// </summary>
internal static class PostgresDatabase
{
    public const string Variable = "RESILIENCE_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? SkipReason => ConnectionString is null && !IsCi
        ? $"{Variable} is not set: run `eng/postgres.sh start` and source the file it names (in CI a missing server fails these tests)."
        : null;

    public static string RequireConnectionString() => ConnectionString
        ?? throw new InvalidOperationException($"{Variable} is not set and CI=true: .ci/run must start PostgreSQL with eng/postgres.sh before the tests.");

    /// <summary>A fresh schema name per test, so tests never see each other's tables.</summary>
    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..16];

    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(RequireConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A fact that needs the PostgreSQL server (see <see cref="PostgresDatabase"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresDatabase.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that needs the PostgreSQL server (see <see cref="PostgresDatabase"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresDatabase.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
