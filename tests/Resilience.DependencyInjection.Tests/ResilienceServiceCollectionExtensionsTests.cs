using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;
using Resilience.Timeout;

namespace Resilience.DependencyInjection.Tests;

public class ResilienceServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddResiliencePipeline_ResolvedByKeyAndProvider_OneSharedInstance()
    {
        await using var services = new ServiceCollection()
            .AddResiliencePipeline("orders-api", (builder, _) => builder.AddTimeout(TimeSpan.FromSeconds(5)))
            .AddResiliencePipeline<string>("stock-api", (builder, _) => builder.AddFallback("unknown"))
            .BuildServiceProvider();

        var keyed = services.GetRequiredKeyedService<ResiliencePipeline>("orders-api");
        var provider = services.GetRequiredService<ResiliencePipelineProvider>();

        provider.GetPipeline("orders-api").Should().BeSameAs(keyed);
        keyed.Name.Should().Be("orders-api");
        (await provider.GetPipeline<string>("stock-api").ExecuteAsync(static _ => throw new IOException())).Should().Be("unknown");
    }

    [Fact]
    public async Task AddResiliencePipeline_UsesTheContainersTimeProvider()
    {
        var time = new FakeTimeProvider();
        await using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddResiliencePipeline("slow-api", (builder, _) => builder.AddTimeout(TimeSpan.FromSeconds(2)))
            .BuildServiceProvider();
        var pipeline = services.GetRequiredKeyedService<ResiliencePipeline>("slow-api");

        var pending = pipeline.ExecuteAsync(static async ct =>
        {
            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
            return 0;
        }).AsTask();
        time.Advance(TimeSpan.FromSeconds(2));

        await pending.Invoking(p => p).Should().ThrowAsync<TimeoutRejectedException>();
    }

    [Fact]
    public async Task GetPipeline_UnknownName_ListsTheRegisteredOnes()
    {
        await using var services = new ServiceCollection()
            .AddResiliencePipeline("orders-api", (builder, _) => builder.AddTimeout(TimeSpan.FromSeconds(5)))
            .BuildServiceProvider();

        var act = () => services.GetRequiredService<ResiliencePipelineProvider>().GetPipeline("orders");

        act.Should().Throw<KeyNotFoundException>().WithMessage("*'orders'*'orders-api'*");
    }

    [Fact]
    public void AddResiliencePipeline_SameNameTwice_Throws()
    {
        var services = new ServiceCollection().AddResiliencePipeline("a", (_, _) => { });

        var act = () => services.AddResiliencePipeline("a", (_, _) => { });

        act.Should().Throw<ArgumentException>().WithMessage("*'a'*already registered*");
    }

    [Fact]
    public async Task AddDeadLetterQueue_HostedServiceRunsTheProcessorAndStopsIt()
    {
        var time = new FakeTimeProvider();
        await using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddDeadLetterQueue(options => options.Randomizer = () => 0)
            .BuildServiceProvider();
        var queue = services.GetRequiredService<DeadLetterQueue>();
        var handled = new List<string>();
        queue.RegisterHandler("charge-card", (attempt, _) =>
        {
            handled.Add(attempt.Entry.Id);
            return default;
        });
        var hosted = services.GetServices<IHostedService>().Should().ContainSingle().Subject;
        var entry = await queue.AddAsync("charge-card", "x"u8.ToArray(), new IOException());

        await hosted.StartAsync(CancellationToken.None);
        queue.Processor.IsRunning.Should().BeTrue();
        time.Advance(TimeSpan.FromSeconds(1));
        await queue.Processor.WaitForIdleAsync();
        await hosted.StopAsync(CancellationToken.None);

        handled.Should().Equal(entry.Id);
        queue.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Recovered);
        queue.Processor.IsRunning.Should().BeFalse();
    }
}

public class SharedComponentRegistrationTests
{
    [Fact]
    public async Task SharedBulkheadAndRetryBudget_AreSingletonsSharedByPipelines()
    {
        await using var services = new ServiceCollection()
            .AddSharedBulkhead("db", new Resilience.Bulkhead.BulkheadStrategyOptions { MaxConcurrency = 1 })
            .AddRetryBudget("orders")
            .AddResiliencePipeline("reads", (builder, ctx) => builder.AddBulkhead(ctx.Services.GetRequiredKeyedService<Resilience.Bulkhead.SharedBulkhead>("db")))
            .AddResiliencePipeline("writes", (builder, ctx) => builder.AddBulkhead(ctx.Services.GetRequiredKeyedService<Resilience.Bulkhead.SharedBulkhead>("db")))
            .BuildServiceProvider();
        var reads = services.GetRequiredKeyedService<ResiliencePipeline>("reads");
        var writes = services.GetRequiredKeyedService<ResiliencePipeline>("writes");
        var gate = new TaskCompletionSource<int>();
        var running = reads.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();

        var outcome = await writes.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        outcome.Exception.Should().BeOfType<Resilience.Bulkhead.BulkheadRejectedException>("both pipelines draw on the one slot of 'db'");
        services.GetRequiredKeyedService<Resilience.Retry.RetryBudget>("orders").Should().BeSameAs(services.GetRequiredKeyedService<Resilience.Retry.RetryBudget>("orders"));
        gate.SetResult(1);
        await running;
    }
}
