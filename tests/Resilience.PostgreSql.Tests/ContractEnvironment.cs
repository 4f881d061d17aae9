namespace Resilience.Tests.DeadLetter.Contract;

/// <summary>The PostgreSQL store needs the server: skipped locally without it, failed in CI.</summary>
internal static class ContractEnvironment
{
    public static string? SkipReason => Resilience.PostgreSql.Tests.PostgresDatabase.SkipReason;
}
