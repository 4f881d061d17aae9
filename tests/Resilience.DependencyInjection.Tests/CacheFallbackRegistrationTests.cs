using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resilience.CacheFallback;
using Resilience.DependencyInjection;

namespace Resilience.DependencyInjection.Tests;

public sealed class CacheFallbackRegistrationTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task WithHybridCache_ServesTheLastGoodResult()
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(_time);
        services.AddHybridCache();
        services.AddResiliencePipeline<string>("rates", (builder, context) => builder.AddCacheFallback(context, o => o.MaxStaleness = TimeSpan.FromMinutes(10)));
        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredKeyedService<ResiliencePipeline<string>>("rates");

        (await RunAsync(pipeline, "EUR", () => "1.08")).Should().Be("1.08");
        _time.Advance(TimeSpan.FromMinutes(3));

        (await RunAsync(pipeline, "EUR", () => throw new HttpRequestException("down"))).Should().Be("1.08");
        var missing = () => RunAsync(pipeline, "GBP", () => throw new HttpRequestException("down"));
        await missing.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task WithMemoryCacheOnly_UsesIt()
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(_time).AddMemoryCache();
        services.AddResiliencePipeline<string>("rates", (builder, context) => builder.AddCacheFallback(context));
        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredKeyedService<ResiliencePipeline<string>>("rates");

        await RunAsync(pipeline, "EUR", () => "1.08");

        provider.GetRequiredService<IMemoryCache>().TryGetValue("resilience:last-known-good:EUR", out _).Should().BeTrue();
        (await RunAsync(pipeline, "EUR", () => throw new HttpRequestException("down"))).Should().Be("1.08");
    }

    [Fact]
    public async Task WithoutACache_FailsNamingWhatToRegister()
    {
        var services = new ServiceCollection();
        services.AddResiliencePipeline<string>("rates", (builder, context) => builder.AddCacheFallback(context));
        await using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredKeyedService<ResiliencePipeline<string>>("rates");

        act.Should().Throw<InvalidOperationException>().WithMessage("*pipeline 'rates'*AddHybridCache()*AddMemoryCache()*Store*");
    }

    [Fact]
    public async Task StoreSetInConfigure_IsKept()
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(_time);
        using var own = new MemoryCache(new MemoryCacheOptions());
        services.AddResiliencePipeline<string>("rates", (builder, context) => builder.AddCacheFallback(context, o => o.Store = CacheFallbackStore.FromMemoryCache<string>(own)));
        await using var provider = services.BuildServiceProvider();

        await RunAsync(provider.GetRequiredKeyedService<ResiliencePipeline<string>>("rates"), "EUR", () => "1.08");

        own.TryGetValue("resilience:last-known-good:EUR", out _).Should().BeTrue();
    }

    private static async Task<string> RunAsync(ResiliencePipeline<string> pipeline, string key, Func<string> work)
    {
        var context = ResilienceContextPool.Shared.Get(key);
        try
        {
            return await pipeline.ExecuteAsync(static (_, w) => new ValueTask<string>(w()), context, work);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
