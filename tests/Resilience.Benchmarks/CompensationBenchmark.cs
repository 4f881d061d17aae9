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
    private CompensationManager _noStepTimeout = null!;

    [GlobalSetup]
    public void Setup()
    {
        _manager = new CompensationManager(new CompensationOptions { MaxAttempts = 1 });
        _noStepTimeout = new CompensationManager(new CompensationOptions { MaxAttempts = 1, StepTimeout = System.Threading.Timeout.InfiniteTimeSpan });
    }

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
    public Task<bool> Rollback10Steps() => Rollback10(_manager);

    /// <summary>The same with <c>StepTimeout = Timeout.InfiniteTimeSpan</c>: no step timeout, so no token source per step.</summary>
    [Benchmark]
    public Task<bool> Rollback10Steps_NoStepTimeout() => Rollback10(_noStepTimeout);

    private async Task<bool> Rollback10(CompensationManager manager)
    {
        var scope = manager.Begin("order");
        for (var i = 0; i < 10; i++)
        {
            scope.Register(this, static (_, _) => default);
        }

        var result = await scope.CompensateAsync();
        await scope.DisposeAsync();
        return result.Succeeded;
    }
}
