using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PollyBaselines;
using Resilience.Bulkhead;
using PollyPipeline = Polly.ResiliencePipeline;

namespace Resilience.Benchmarks;

/// <summary>
/// An uncontended call through the bulkhead, against a raw <see cref="SemaphoreSlim"/> wait/release and Polly's
/// concurrency limiter pipeline.
/// </summary>
public class BulkheadBenchmark
{
    private readonly SemaphoreSlim _semaphore = new(10, 10);
    private ResiliencePipeline _bulkhead = null!;
    private PollyPipeline _polly = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bulkhead = new ResiliencePipelineBuilder().AddBulkhead(new BulkheadStrategyOptions { MaxConcurrency = 10, MaxQueueLength = 100 }).Build();
        _polly = PollyCorePipelines.ConcurrencyLimiter(10, 100);
    }

    [Benchmark]
    public async ValueTask<int> RawSemaphoreSlim()
    {
        await _semaphore.WaitAsync();
        try
        {
            return await new ValueTask<int>(42);
        }
        finally
        {
            _semaphore.Release();
        }
    }

    [Benchmark]
    public ValueTask<int> Bulkhead_Resilience() => _bulkhead.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark(Baseline = true)]
    public ValueTask<int> ConcurrencyLimiter_Polly() => _polly.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);
}

/// <summary>
/// Throughput through a bulkhead of 4 slots (queue 1,000) with 2 and 16 concurrent callers whose work yields once.
/// </summary>
public class BulkheadContentionBenchmark
{
    private ResiliencePipeline _bulkhead = null!;
    private PollyPipeline _polly = null!;

    [Params(2, 16)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _bulkhead = new ResiliencePipelineBuilder().AddBulkhead(new BulkheadStrategyOptions { MaxConcurrency = 4, MaxQueueLength = 1000 }).Build();
        _polly = PollyCorePipelines.ConcurrencyLimiter(4, 1000);
    }

    [Benchmark(OperationsPerInvoke = 1600)]
    public Task Resilience() => Run(caller => _bulkhead.ExecuteAsync(static async (s, _) =>
    {
        await Task.Yield();
        return s;
    }, caller).AsTask());

    [Benchmark(Baseline = true, OperationsPerInvoke = 1600)]
    public Task Polly() => Run(caller => _polly.ExecuteAsync(static async (s, _) =>
    {
        await Task.Yield();
        return s;
    }, caller).AsTask());

    private Task Run(Func<int, Task<int>> call)
    {
        var perCaller = 1600 / Callers;
        return Task.WhenAll(Enumerable.Range(0, Callers).Select(async c =>
        {
            for (var i = 0; i < perCaller; i++)
            {
                await call(c);
            }
        }));
    }
}

/// <summary>
/// A full bulkhead (10 slots, all held until cleanup, no queue) refusing a call, as an outcome and as a thrown exception,
/// against Polly's concurrency limiter in the same state.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class BulkheadFullBenchmark
{
    private const int Slots = 10;
    private readonly TaskCompletionSource<int> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task<int>> _holders = [];
    private ResiliencePipeline _bulkhead = null!;
    private PollyPipeline _polly = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bulkhead = new ResiliencePipelineBuilder().AddBulkhead(new BulkheadStrategyOptions { MaxConcurrency = Slots, MaxQueueLength = 0 }).Build();
        _polly = PollyCorePipelines.ConcurrencyLimiter(Slots, 0);
        for (var i = 0; i < Slots; i++)
        {
            _holders.Add(_bulkhead.ExecuteAsync(static (release, _) => new ValueTask<int>(release.Task), _release).AsTask());
            _holders.Add(_polly.ExecuteAsync(static (release, _) => new ValueTask<int>(release.Task), _release).AsTask());
        }

        if (_holders.Any(h => h.IsCompleted) || RejectedOutcome_Resilience().AsTask().Result || RejectedOutcome_Polly().AsTask().Result)
        {
            throw new InvalidOperationException("The bulkheads did not fill up: the rejection path would not be measured.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _release.TrySetResult(0);
        Task.WaitAll(_holders);
        _holders.Clear();
    }

    [Benchmark, BenchmarkCategory("RejectedOutcome")]
    public async ValueTask<bool> RejectedOutcome_Resilience() => (await _bulkhead.ExecuteOutcomeAsync(static (s, _) => new ValueTask<int>(s), 42)).HasResult;

    [Benchmark(Baseline = true), BenchmarkCategory("RejectedOutcome")]
    public async ValueTask<bool> RejectedOutcome_Polly()
    {
        var context = Polly.ResilienceContextPool.Shared.Get();
        var outcome = await _polly.ExecuteOutcomeAsync(static (_, s) => Polly.Outcome.FromResultAsValueTask(s), context, 42);
        Polly.ResilienceContextPool.Shared.Return(context);
        return outcome.Exception is null;
    }

    [Benchmark, BenchmarkCategory("RejectedThrown")]
    public async ValueTask<bool> RejectedThrown_Resilience()
    {
        try
        {
            return await _bulkhead.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42) > 0;
        }
        catch (BulkheadRejectedException)
        {
            return false;
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("RejectedThrown")]
    public async ValueTask<bool> RejectedThrown_Polly()
    {
        try
        {
            return await _polly.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42) > 0;
        }
        catch (Polly.RateLimiting.RateLimiterRejectedException)
        {
            return false;
        }
    }
}
