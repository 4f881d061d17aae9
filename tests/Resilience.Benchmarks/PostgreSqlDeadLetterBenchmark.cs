using System.Diagnostics;
using Npgsql;
using Resilience.PostgreSql;

namespace Resilience.Benchmarks;

/// <summary>
/// The PostgreSQL store's enqueue rate with 1 and 64 producers, in the same run as the file store (part of --dlq).
/// Needs RESILIENCE_POSTGRES (eng/postgres.sh start); without it the harness says so and skips these lines.
/// </summary>
internal static class PostgreSqlDeadLetterBenchmark
{
    public static string? ConnectionString => Environment.GetEnvironmentVariable("RESILIENCE_POSTGRES") is { Length: > 0 } value ? value : null;

    public static async Task<double> EnqueueAsync(string connectionString, int producers, int perProducer)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..8];
        var store = PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions { ConnectionString = connectionString, Schema = schema, QueueName = "bench" });
        try
        {
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
            {
                for (var i = 0; i < perProducer; i++)
                {
                    await store.SaveAsync([DeadLetterBenchmark.Entry($"pg-{p:D3}-{i:D8}")]);
                }
            })));
            return producers * perProducer / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await store.DisposeAsync();
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
