using Npgsql;
using Resilience.DeadLetter;

// Usage: Resilience.PostgreSql.Worker <schema> <queue> <instance-id> <mode> <fail-rate> <lease-ms>
//   mode "work": handlers fail at random (fail-rate), otherwise succeed.
//   mode "hang": handlers print "started <id>" and wait until cancelled (the test kills the process, or an operator's
//                discard cancels the attempt: then "cancelled <id>").
// Every attempt takes a session advisory lock on its entry id for as long as it runs: a second concurrent attempt of
// the same entry anywhere fails to take it and records a violation. Every attempt is recorded in <schema>.attempts.
// The connection string comes from RESILIENCE_POSTGRES.
var connectionString = Environment.GetEnvironmentVariable("RESILIENCE_POSTGRES") ?? throw new InvalidOperationException("RESILIENCE_POSTGRES is not set.");
var (schema, queueName, instance, mode) = (args[0], args[1], args[2], args[3]);
var failRate = double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
var lease = TimeSpan.FromMilliseconds(int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture));

await using var dataSource = NpgsqlDataSource.Create(connectionString);
await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions
{
    MaxAttempts = 1000,
    RetryBaseDelay = TimeSpan.FromMilliseconds(5),
    RetryMaxDelay = TimeSpan.FromMilliseconds(20),
    PauseAfterConsecutiveFailures = int.MaxValue,
    // 16 rather than 8: more attempts in flight overlap their commits (10,000 entries took ~0.73x the time here).
    MaxConcurrentAttempts = 16,
}.UsePostgreSql(dataSource, schema, queueName, o =>
{
    o.InstanceId = instance;
    o.LeaseDuration = lease;
    o.PollInterval = TimeSpan.FromMilliseconds(200);
}));

queue.RegisterHandler("work", async (attempt, ct) =>
{
    var id = attempt.Entry.Id;
    await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
    var exclusive = (bool)(await ExecuteAsync(connection, "SELECT pg_try_advisory_lock(hashtext($1))", id))!;
    try
    {
        await ExecuteAsync(connection, $"INSERT INTO {schema}.attempts (entry_id, attempt, instance, exclusive) VALUES ($1, $2, $3, $4)", id, attempt.AttemptNumber, instance, exclusive);
        if (mode == "hang")
        {
            Console.WriteLine($"started {id}");
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine($"cancelled {id}");
                throw;
            }
        }

        if (Random.Shared.NextDouble() < failRate)
        {
            throw new TimeoutException("random failure");
        }
    }
    finally
    {
        if (exclusive)
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock(hashtext($1))", id);
        }
    }
});

queue.Processor.Start();
Console.WriteLine("ready");
await Task.Delay(Timeout.InfiniteTimeSpan);

static async Task<object?> ExecuteAsync(NpgsqlConnection connection, string sql, params object[] values)
{
    await using var command = new NpgsqlCommand(sql, connection);
    foreach (var value in values)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = value });
    }

    return await command.ExecuteScalarAsync();
}
