using BenchmarkDotNet.Attributes;
using Resilience.Compensation;

namespace Resilience.Benchmarks;

/// <summary>
/// The in-memory compensation manager: a 3-step scope registered and completed (the happy path every saga pays), and
/// a 10-step rollback whose steps do nothing (the manager's own overhead). No Polly counterpart exists.
/// </summary>
public class CompensationBenchmark
{
    private CompensationManager _manager = null!;

    [GlobalSetup]
    public void Setup() => _manager = new CompensationManager(new CompensationOptions { MaxAttempts = 1 });

    [Benchmark(OperationsPerInvoke = 3)]
    public async ValueTask RegisterAndComplete_PerStep()
    {
        await using var scope = _manager.Begin("order");
        scope.Register(this, static (_, _) => default);
        scope.Register(this, static (_, _) => default);
        scope.Register(this, static (_, _) => default);
        scope.Complete();
    }

    [Benchmark]
    public async Task<bool> Rollback10Steps()
    {
        var scope = _manager.Begin("order");
        for (var i = 0; i < 10; i++)
        {
            scope.Register(this, static (_, _) => default);
        }

        var result = await scope.CompensateAsync();
        await scope.DisposeAsync();
        return result.Succeeded;
    }
}
