using BenchmarkDotNet.Attributes;
using Resilience.Batch;
using Resilience.Retry;

namespace Resilience.Benchmarks;

/// <summary>
/// The batch's own cost per item: 1,000 items through a retry pipeline (every call succeeds first time) with a plain
/// <c>foreach</c> over <c>ExecuteAsync</c> as the baseline, then <c>ExecuteBatchAsync</c> with one worker and with
/// four. Figures are per item (OperationsPerInvoke); the batch's result lists are part of what it allocates.
/// </summary>
[MemoryDiagnoser]
public class BatchBenchmark
{
    private const int Items = 1000;
    private readonly int[] _items = [.. Enumerable.Range(0, Items)];
    private ResiliencePipeline _pipeline = null!;
    private BatchOptions<int> _sequential = null!;
    private BatchOptions<int> _parallel = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, BaseDelay = TimeSpan.Zero })
            .Build();
        _sequential = new BatchOptions<int>();
        _parallel = new BatchOptions<int> { MaxDegreeOfParallelism = 4 };
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public async ValueTask<long> Foreach_PerItem()
    {
        long sum = 0;
        foreach (var item in _items)
        {
            sum += await _pipeline.ExecuteAsync(static (i, _) => new ValueTask<int>(i * 2), item);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public async ValueTask<int> ExecuteBatchAsync_PerItem()
    {
        var result = await _pipeline.ExecuteBatchAsync(_items, static (i, _) => new ValueTask<int>(i * 2), _sequential);
        return result.Succeeded.Count;
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public async ValueTask<int> ExecuteBatchAsync_Parallel4_PerItem()
    {
        var result = await _pipeline.ExecuteBatchAsync(_items, static (i, _) => new ValueTask<int>(i * 2), _parallel);
        return result.Succeeded.Count;
    }
}
