using BenchmarkDotNet.Attributes;
using PollyBaselines;
using Resilience.Retry;
using PollyPipeline = Polly.ResiliencePipeline;

namespace Resilience.Benchmarks;

/// <summary>
/// Retry on the success path (no retry needed) and on a call that fails once and then succeeds (one retry, zero delay).
/// </summary>
public class RetryBenchmark
{
    private ResiliencePipeline _retry = null!;
    private PollyPipeline _pollyRetry = null!;

    [GlobalSetup]
    public void Setup()
    {
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, BaseDelay = TimeSpan.Zero, ShouldHandle = Handle.Exception<InvalidOperationException>() })
            .Build();
        _pollyRetry = PollyCorePipelines.Retry(3, TimeSpan.Zero);
    }

    [Benchmark]
    public ValueTask<int> Success_Resilience() => _retry.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark(Baseline = true)]
    public ValueTask<int> Success_Polly() => _pollyRetry.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark]
    public ValueTask<int> FailThenSucceed_Resilience() => _retry.ExecuteAsync(static (state, _) => state.Next(), new FailOnce());

    [Benchmark]
    public ValueTask<int> FailThenSucceed_Polly() => _pollyRetry.ExecuteAsync(static (state, _) => state.Next(), new FailOnce());

    /// <summary>Fails the first call with a fresh exception, succeeds the second.</summary>
    public sealed class FailOnce
    {
        private bool _failed;

        public ValueTask<int> Next()
        {
            if (_failed)
            {
                return new ValueTask<int>(1);
            }

            _failed = true;
            return ValueTask.FromException<int>(new InvalidOperationException("transient"));
        }
    }
}
