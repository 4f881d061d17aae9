using Microsoft.Extensions.DependencyInjection;

namespace Resilience.DependencyInjection.Tests;

public class PipelineDisposalTests
{
    [Fact]
    public async Task DisposingTheContainer_DisposesTheLimitersItsPipelinesCreated()
    {
        var services = new ServiceCollection()
            .AddResiliencePipeline("p", (builder, _) => builder.AddConcurrencyLimiter(permitLimit: 1))
            .BuildServiceProvider();
        var pipeline = services.GetRequiredKeyedService<ResiliencePipeline>("p");
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeNull();

        await services.DisposeAsync();

        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<ObjectDisposedException>();
    }
}
