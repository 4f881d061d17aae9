using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Resilience.Checkpointing;

namespace Resilience.DependencyInjection.Tests;

public sealed class CheckpointingRegistrationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "resilience-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task AddCheckpointing_GracefulShutdown_CommitsWhatWasHandledSinceTheLastCommit()
    {
        var store = new InMemoryCheckpointStore();
        await using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton<ICheckpointStore>(store)
            .AddCheckpointing(o => o.ConsumerGroup = "orders")
            .BuildServiceProvider();
        var hosted = services.GetServices<IHostedService>().OfType<CheckpointCommitHostedService>().Single();
        await hosted.StartAsync(default);
        var manager = services.GetRequiredService<CheckpointManager>();
        manager.Update("events", 0, 17);

        await hosted.StopAsync(default);

        (await store.LoadAsync("orders"))!.Offsets[new("events", 0)].Should().Be(17);
        manager.Update("events", 0, 20);
        _time.Advance(TimeSpan.FromMinutes(1));
        store.SaveCount.Should().Be(1, "no automatic commit after shutdown");
    }

    [Fact]
    public async Task AddCheckpointing_AutomaticCommitsFollowTheContainersTimeProvider()
    {
        var store = new InMemoryCheckpointStore();
        await using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton<ICheckpointStore>(store)
            .AddCheckpointing(o =>
            {
                o.ConsumerGroup = "orders";
                o.AutoCommitInterval = TimeSpan.FromSeconds(2);
            })
            .BuildServiceProvider();
        services.GetRequiredService<CheckpointManager>().Update("events", 0, 3);

        _time.Advance(TimeSpan.FromSeconds(2));

        store.SaveCount.Should().Be(1);
    }

    [Fact]
    public async Task AddCheckpointing_WithDirectory_UsesTheFileStoreAndResumesAfterARestart()
    {
        await using (var first = new ServiceCollection().AddCheckpointing(o =>
        {
            o.ConsumerGroup = "orders";
            o.Directory = _directory;
        }).BuildServiceProvider())
        {
            first.GetRequiredService<ICheckpointStore>().Should().BeOfType<FileCheckpointStore>();
            first.GetRequiredService<CheckpointManager>().Update("events", 1, 99);
        }

        await using var second = new ServiceCollection().AddCheckpointing(o =>
        {
            o.ConsumerGroup = "orders";
            o.Directory = _directory;
        }).BuildServiceProvider();

        second.GetRequiredService<CheckpointManager>().GetCommittedOffset("events", 1).Should().Be(99, "disposing the container committed");
    }

    [Fact]
    public void AddCheckpointing_NoConsumerGroup_ThrowsNamingTheOption()
    {
        var act = () => new ServiceCollection().AddCheckpointing(_ => { });

        act.Should().Throw<ArgumentException>().WithMessage("*CheckpointingOptions.ConsumerGroup*");
    }
}
