using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.PostgreSql.Tests;

/// <summary>
/// Several queues (one per instance, each with its own store and clock) over one PostgreSQL queue: the processors
/// split the entries through leased claims. Each instance has its own fake clock, so an instance whose clock stands
/// still is one that stalled or died: its lease is not renewed and expires on the others' clocks.
/// </summary>
public sealed class LeasedProcessingTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly string _schema = PostgresDatabase.NewSchema();
    private readonly List<DeadLetterQueue> _queues = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            await queue.DisposeAsync();
        }

        if (PostgresDatabase.ConnectionString is not null)
        {
            await PostgresDatabase.DropSchemaAsync(_schema);
        }
    }

    private DeadLetterQueue Instance(FakeTimeProvider time, string name)
    {
        var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions
        {
            TimeProvider = time,
            MaxAttempts = 3,
            Randomizer = () => 0.5,
            PauseAfterConsecutiveFailures = int.MaxValue,
            MaxConcurrentAttempts = 4,
        }.UsePostgreSql(PostgresDatabase.RequireConnectionString(), _schema, "leased", o =>
        {
            o.InstanceId = name;
            o.LeaseDuration = Lease;
            o.PollInterval = TimeSpan.FromSeconds(5);
        }));
        _queues.Add(queue);
        return queue;
    }

    private static async Task AdvanceUntilAsync(FakeTimeProvider[] clocks, DeadLetterQueue[] queues, Func<bool> done, TimeSpan step)
    {
        for (var i = 0; i < 200 && !done(); i++)
        {
            foreach (var clock in clocks)
            {
                clock.Advance(step);
            }

            foreach (var queue in queues)
            {
                await queue.Processor.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
    }

    [PostgresFact]
    public async Task TwoInstances_ProcessOneQueue_EveryEntryRecoveredAndNoneAttemptedTwiceAtOnce()
    {
        var clocks = new[] { new FakeTimeProvider(Start), new FakeTimeProvider(Start) };
        var queues = new[] { Instance(clocks[0], "a"), Instance(clocks[1], "b") };
        var running = new ConcurrentDictionary<string, int>();
        var overlaps = 0;
        var attempts = new ConcurrentDictionary<string, int>();
        var byInstance = new int[2];
        for (var i = 0; i < 2; i++)
        {
            var instance = i;
            queues[i].RegisterHandler("charge-card", async (attempt, _) =>
            {
                if (running.AddOrUpdate(attempt.Entry.Id, 1, (_, n) => n + 1) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield();
                running.AddOrUpdate(attempt.Entry.Id, 0, (_, n) => n - 1);
                Interlocked.Increment(ref byInstance[instance]);
                // Every entry fails its first attempt, then succeeds.
                if (attempts.AddOrUpdate(attempt.Entry.Id, 1, (_, n) => n + 1) == 1)
                {
                    throw new TimeoutException("first attempt fails");
                }
            });
        }

        for (var n = 0; n < 30; n++)
        {
            await queues[n % 2].AddAsync("charge-card", Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"), new TimeoutException());
        }

        queues[0].Processor.Start();
        queues[1].Processor.Start();
        await AdvanceUntilAsync(clocks, queues, () => queues[0].GetStatistics().Recovered == 30, TimeSpan.FromSeconds(1));

        var statistics = queues[1].GetStatistics();
        statistics.Recovered.Should().Be(30);
        statistics.TotalRetried.Should().Be(60);
        attempts.Values.Should().AllSatisfy(n => n.Should().Be(2));
        overlaps.Should().Be(0);
        byInstance.Sum().Should().Be(60);
    }

    [PostgresFact]
    public async Task StalledInstance_ItsLeaseExpiresAnotherCompletesTheEntryAndItsLateResultIsRejected()
    {
        var stalledClock = new FakeTimeProvider(Start);
        var liveClock = new FakeTimeProvider(Start);
        var stalled = Instance(stalledClock, "stalled");
        var live = Instance(liveClock, "live");
        var stalledStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stalled.RegisterHandler("charge-card", async (_, _) =>
        {
            stalledStarted.TrySetResult();
            await release.Task;
        });
        var liveAttempts = new List<int>();
        live.RegisterHandler("charge-card", (attempt, _) =>
        {
            liveAttempts.Add(attempt.AttemptNumber);
            return default;
        });
        var entry = await stalled.AddAsync("charge-card", Encoding.UTF8.GetBytes("{}"), new TimeoutException());

        stalled.Processor.Start();
        stalledClock.Advance(TimeSpan.FromSeconds(2));
        await stalledStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The live instance's clock moves past the lease; the stalled one's does not, so it never renews.
        live.Processor.Start();
        await AdvanceUntilAsync([liveClock], [live], () => liveAttempts.Count > 0, TimeSpan.FromSeconds(5));
        liveAttempts.Should().Equal(2);
        live.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Recovered);

        release.SetResult();
        await stalled.Processor.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var final = live.Get(entry.Id)!;
        final.Status.Should().Be(DeadLetterStatus.Recovered);
        final.AttemptCount.Should().Be(2, "the stalled instance's result came from an expired lease and was dropped");
    }

    [PostgresFact]
    public async Task OperatorDiscard_DuringAnAttemptOnAnotherInstance_WinsAndCancelsTheHandler()
    {
        var workerClock = new FakeTimeProvider(Start);
        var worker = Instance(workerClock, "worker");
        var operatorQueue = Instance(new FakeTimeProvider(Start), "operator");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        worker.RegisterHandler("charge-card", async (_, token) =>
        {
            started.TrySetResult();
            using var registration = token.Register(() => cancelled.TrySetResult());
            await cancelled.Task;
        });
        var entry = await worker.AddAsync("charge-card", Encoding.UTF8.GetBytes("{}"), new TimeoutException());
        worker.Processor.Start();
        workerClock.Advance(TimeSpan.FromSeconds(2));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await operatorQueue.DiscardAsync(entry.Id);
        workerClock.Advance(Lease / 3); // the renewal finds the entry changed: the lease is lost
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await worker.Processor.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var final = operatorQueue.Get(entry.Id)!;
        final.Status.Should().Be(DeadLetterStatus.Discarded);
        final.AttemptCount.Should().Be(1);
    }

    [PostgresFact]
    public async Task Notification_WakesAnIdleProcessorBeforeItsPoll()
    {
        var idleClock = new FakeTimeProvider(Start);
        var idle = Instance(idleClock, "idle");
        var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        idle.RegisterHandler("charge-card", (attempt, _) =>
        {
            handled.TrySetResult(attempt.Entry.Id);
            return default;
        });
        idle.Processor.Start();
        await idle.Processor.WaitForIdleAsync();

        // Another instance adds an entry that is already due on the idle instance's clock, which never moves.
        await using var other = PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions
        {
            ConnectionString = PostgresDatabase.RequireConnectionString(),
            Schema = _schema,
            QueueName = "leased",
        });
        var due = PostgreSqlDeadLetterStoreTests.Entry(1) with { NextAttemptAt = Start - TimeSpan.FromMinutes(1) };
        await other.SaveAsync([due]);

        (await handled.Task.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(due.Id);
    }

    [PostgresFact]
    public async Task AddDeadLetterQueue_UsePostgreSql_ResolvesAQueueOverThePostgreSqlStore()
    {
        var services = new ServiceCollection();
        services.AddDeadLetterQueue(o => o.UsePostgreSql(PostgresDatabase.RequireConnectionString(), _schema, "di"));
        await using var provider = services.BuildServiceProvider();

        var queue = provider.GetRequiredService<DeadLetterQueue>();
        var entry = await queue.AddAsync("charge-card", Encoding.UTF8.GetBytes("{}"), new TimeoutException());

        queue.Store.Should().BeOfType<PostgreSqlDeadLetterStore>().Which.TableName.Should().Be($"{_schema}.dlq_di");
        queue.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Pending);
    }
}
