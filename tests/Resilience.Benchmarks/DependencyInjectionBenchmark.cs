using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Resilience.CircuitBreaker;
using Resilience.Retry;

namespace Resilience.Benchmarks;

/// <summary>
/// The same pipeline (total timeout, retry, circuit breaker, attempt timeout) built by hand and resolved from DI with a
/// logger factory and a meter factory (telemetry wired, nobody listening). Goal: within 5 %.
/// </summary>
public class DependencyInjectionBenchmark : IDisposable
{
    private ServiceProvider _services = null!;
    private ResiliencePipeline _byHand = null!;
    private ResiliencePipeline _fromContainer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _byHand = Configure(new ResiliencePipelineBuilder()).Build();
        _services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton<IMeterFactory, BenchmarkMeterFactory>()
            .AddResiliencePipeline("orders-api", (builder, _) => Configure(builder))
            .BuildServiceProvider();
        _fromContainer = _services.GetRequiredKeyedService<ResiliencePipeline>("orders-api");
    }

    [Benchmark(Baseline = true)]
    public ValueTask<int> BuiltByHand() => _byHand.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark]
    public ValueTask<int> ResolvedFromContainer() => _fromContainer.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    public void Dispose()
    {
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static ResiliencePipelineBuilder Configure(ResiliencePipelineBuilder builder) => builder
        .AddTimeout(TimeSpan.FromSeconds(30))
        .AddRetry(new RetryStrategyOptions())
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions())
        .AddTimeout(TimeSpan.FromSeconds(10));

    private sealed class BenchmarkMeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options.Name, options.Version, options.Tags, scope: this);

        public void Dispose()
        {
        }
    }
}
