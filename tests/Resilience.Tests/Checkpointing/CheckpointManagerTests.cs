using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.Checkpointing;
using Resilience.Telemetry;
using Resilience.Tests.DeadLetter;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Checkpointing;

public sealed class CheckpointManagerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ValueTask<CheckpointManager> OpenAsync(ICheckpointStore store, TimeSpan? interval = null, TestMeterFactory? meters = null, FakeLoggerProvider? logs = null)
        => CheckpointManager.OpenAsync(store, new CheckpointManagerOptions
        {
            ConsumerGroup = "orders",
            AutoCommitInterval = interval,
            TimeProvider = _time,
            MeterFactory = meters,
            LoggerFactory = logs is null ? null : new Microsoft.Extensions.Logging.LoggerFactory([logs]),
        });

    [Fact]
    public async Task Update_StaysInMemoryUntilCommitAsync()
    {
        var store = new InMemoryCheckpointStore();
        await using var manager = await OpenAsync(store);

        manager.Update("events", 0, 10);

        (await store.LoadAsync("orders")).Should().BeNull();
        manager.GetOffset("events", 0).Should().Be(10);
        manager.GetCommittedOffset("events", 0).Should().BeNull();

        (await manager.CommitAsync()).Should().BeTrue();

        (await store.LoadAsync("orders"))!.Offsets[new("events", 0)].Should().Be(10);
        manager.GetCommittedOffset("events", 0).Should().Be(10);
        manager.Generation.Should().Be(1);
    }

    [Fact]
    public async Task Update_LowerOffset_IsIgnored()
    {
        await using var manager = await OpenAsync(new InMemoryCheckpointStore());
        manager.Update("events", 0, 10);

        manager.Update("events", 0, 4);

        manager.GetOffset("events", 0).Should().Be(10);
    }

    [Fact]
    public async Task CommitAsync_NothingChanged_WritesNothing()
    {
        var store = new InMemoryCheckpointStore();
        await using var manager = await OpenAsync(store);
        manager.Update("events", 0, 1);
        await manager.CommitAsync();

        (await manager.CommitAsync()).Should().BeFalse();
        manager.Update("events", 0, 1);
        (await manager.CommitAsync()).Should().BeFalse();

        store.SaveCount.Should().Be(1);
    }

    [Fact]
    public async Task AutoCommit_EveryIntervalOfTheTimeProvider()
    {
        var store = new InMemoryCheckpointStore();
        await using var manager = await OpenAsync(store, TimeSpan.FromSeconds(5));
        manager.Update("events", 0, 3);

        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        store.SaveCount.Should().Be(0);
        _time.Advance(TimeSpan.FromTicks(1));
        store.SaveCount.Should().Be(1);
        (await store.LoadAsync("orders"))!.Offsets[new("events", 0)].Should().Be(3);

        _time.Advance(TimeSpan.FromSeconds(5));
        store.SaveCount.Should().Be(1, "nothing changed since the last commit");

        manager.Update("events", 0, 8);
        _time.Advance(TimeSpan.FromSeconds(5));
        store.SaveCount.Should().Be(2);
        (await store.LoadAsync("orders"))!.CommittedAt.Should().Be(_time.GetUtcNow());
    }

    [Fact]
    public async Task DisposeAsync_CommitsWhatIsInMemoryAndStopsTheAutomaticCommits()
    {
        var store = new InMemoryCheckpointStore();
        var manager = await OpenAsync(store, TimeSpan.FromSeconds(5));
        manager.Update("events", 0, 42);

        await manager.DisposeAsync();

        (await store.LoadAsync("orders"))!.Offsets[new("events", 0)].Should().Be(42);
        manager.Update("events", 0, 50);
        _time.Advance(TimeSpan.FromMinutes(1));
        store.SaveCount.Should().Be(1);
    }

    [Fact]
    public async Task OpenAsync_AfterACommitWithTheFileStore_ResumesFromTheCommittedOffsets()
    {
        using (var store = FileCheckpointStore.Open(new FileCheckpointStoreOptions { Directory = _dir.Path }))
        {
            await using var manager = await OpenAsync(store);
            manager.Update("events", 0, 5);
            manager.Update("events", 1, 9);
            await manager.CommitAsync();
            manager.Update("events", 0, 6);
            await manager.CommitAsync();
        }

        using var reopenedStore = FileCheckpointStore.Open(new FileCheckpointStoreOptions { Directory = _dir.Path });
        await using var reopened = await OpenAsync(reopenedStore);

        reopened.GetCommittedOffset("events", 0).Should().Be(6);
        reopened.GetCommittedOffset("events", 1).Should().Be(9);
        reopened.Generation.Should().Be(2);
        reopened.Track("events", 0).DoneUpTo.Should().Be(6, "a tracker starts at the committed position");
    }

    [Fact]
    public async Task CommitAsync_StoreFails_OffsetsStayForTheNextCommit()
    {
        var store = new FlakyStore { FailNext = true };
        await using var manager = await OpenAsync(store);
        manager.Update("events", 0, 5);

        var act = () => manager.CommitAsync().AsTask();
        await act.Should().ThrowAsync<IOException>();
        manager.GetCommittedOffset("events", 0).Should().BeNull();

        (await manager.CommitAsync()).Should().BeTrue();
        manager.GetCommittedOffset("events", 0).Should().Be(5);
    }

    [Fact]
    public async Task AutoCommit_StoreFails_IsLoggedAndRetriedOnTheNextTick()
    {
        var store = new FlakyStore { FailNext = true };
        var logs = new FakeLoggerProvider();
        await using var manager = await OpenAsync(store, TimeSpan.FromSeconds(1), logs: logs);
        manager.Update("events", 0, 5);

        _time.Advance(TimeSpan.FromSeconds(1));
        manager.GetCommittedOffset("events", 0).Should().BeNull();
        logs.Collector.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 341);

        _time.Advance(TimeSpan.FromSeconds(1));
        manager.GetCommittedOffset("events", 0).Should().Be(5);
    }

    [Fact]
    public async Task CommitAsync_Cancelled_WritesNothingAndLeavesTheNextCommitFree()
    {
        var store = new InMemoryCheckpointStore();
        await using var manager = await OpenAsync(store);
        manager.Update("events", 0, 5);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var act = () => manager.CommitAsync(cts.Token).AsTask();
        await act.Should().ThrowAsync<OperationCanceledException>();
        store.SaveCount.Should().Be(0);

        (await manager.CommitAsync()).Should().BeTrue();
    }

    [Fact]
    public async Task Telemetry_LagGaugePerPartitionAndCommitDurationHistogram()
    {
        using var meters = new TestMeterFactory();
        using var lag = new MetricCollector<int>(meters, ResilienceTelemetryNames.Meter, CheckpointTelemetryNames.Lag);
        using var durations = new MetricCollector<double>(meters, ResilienceTelemetryNames.Meter, CheckpointTelemetryNames.CommitDuration);
        var store = new FlakyStore { Delay = TimeSpan.FromMilliseconds(30), Time = _time };
        await using var manager = await OpenAsync(store, meters: meters);
        var tracker = manager.Track("events", 2);
        for (var offset = 0; offset < 10; offset++)
        {
            tracker.Start(offset);
        }

        tracker.Complete(0);
        tracker.Complete(1);
        tracker.Complete(2);
        await manager.CommitAsync();

        lag.RecordObservableInstruments();
        var measurement = lag.LastMeasurement!;
        measurement.Value.Should().Be(7, "10 seen, 3 committed");
        measurement.Tags[CheckpointTelemetryNames.ConsumerGroupTag].Should().Be("orders");
        measurement.Tags[CheckpointTelemetryNames.StreamTag].Should().Be("events");
        measurement.Tags[CheckpointTelemetryNames.PartitionTag].Should().Be(2);
        manager.GetLag("events", 2).Should().Be(7);
        var duration = durations.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        duration.Value.Should().Be(30);
        duration.Tags[ResilienceTelemetryNames.OutcomeTag].Should().Be("success");
    }

    [Theory]
    [InlineData(null, 5, "CheckpointManagerOptions.ConsumerGroup")]
    [InlineData("g", 0, "CheckpointManagerOptions.AutoCommitInterval")]
    [InlineData("g", -1, "CheckpointManagerOptions.AutoCommitInterval")]
    public async Task OpenAsync_InvalidOptions_ThrowsNamingTheOption(string? group, int seconds, string option)
    {
        var act = () => CheckpointManager.OpenAsync(new InMemoryCheckpointStore(), new CheckpointManagerOptions { ConsumerGroup = group, AutoCommitInterval = TimeSpan.FromSeconds(seconds) }).AsTask();

        await act.Should().ThrowAsync<ArgumentException>().WithMessage($"*{option}*");
    }

    private sealed class FlakyStore : ICheckpointStore
    {
        private readonly InMemoryCheckpointStore _inner = new();

        public bool FailNext { get; set; }

        public TimeSpan Delay { get; set; }

        public FakeTimeProvider? Time { get; set; }

        public ValueTask<CheckpointSnapshot?> LoadAsync(string consumerGroup, CancellationToken cancellationToken = default) => _inner.LoadAsync(consumerGroup, cancellationToken);

        public ValueTask SaveAsync(CheckpointSnapshot snapshot, CancellationToken cancellationToken = default)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("disk full");
            }

            // The "write" takes this long on the manager's clock.
            Time?.Advance(Delay);
            return _inner.SaveAsync(snapshot, cancellationToken);
        }
    }
}
