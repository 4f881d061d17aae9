using BenchmarkDotNet.Running;

namespace Resilience.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project tests/Resilience.Benchmarks -- --filter '*'          (full runs)
    // dotnet run -c Release --project tests/Resilience.Benchmarks -- --short --filter '*'  (short runs: 3 warmups, 5 iterations of 200 ms, 1 launch)
    // dotnet run -c Release --project tests/Resilience.Benchmarks -- --dlq                 (dead letter queue harness)
    // dotnet run -c Release --project tests/Resilience.Benchmarks -- --dlq --processing    (dead letter processing throughput)
    // dotnet run -c Release --project tests/Resilience.Benchmarks -- --checkpoints         (checkpoint commit latency vs raw fsync)
    //
    // 94 cases, each of ours next to Polly.Core's configured alike (Polly is the baseline of its class or category):
    //   synchronous success per strategy   CoreBenchmark (timeout), RetryBenchmark, CircuitBreakerBenchmark, FallbackBenchmark,
    //                                      BulkheadBenchmark, RateLimiterBenchmark, PipelineBenchmark (4-strategy pipeline)
    //   truly asynchronous (Task.Yield)    AsyncCallbackBenchmark (one category per strategy), PipelineBenchmark
    //   fail once, then succeed            RetryBenchmark, PipelineRetryBenchmark (one retry, zero delay); FallbackBenchmark (failure)
    //   rejection as outcome and thrown    CircuitBreakerBenchmark (open), BulkheadFullBenchmark, RateLimiterBenchmark
    //   contention at 1, 2 and 16 callers  PipelineContentionBenchmark, CircuitBreakerContentionBenchmark (bulkhead: 2 and 16)
    //   hedging                            HedgingBenchmark (first attempt succeeds before the delay; first handled, the hedge wins)
    //   chaos switched off                 ChaosBenchmark (Enabled = false, the global switch off, a pass-through, no chaos)
    //   ours only                          CompensationBenchmark, DependencyInjectionBenchmark
    //   hand-written references            HandWrittenBenchmark (timeout by token source, retry loop, fallback catch)
    // The whole short matrix takes about 6 minutes on the 2-core CI machine kind; bash eng/benchmark-medians.sh runs it three
    // times and prints the median ratios (docs/benchmarks.md has the tables).
    public static async Task Main(string[] args)
    {
        if (args.Contains("--checkpoints"))
        {
            await CheckpointBenchmark.RunAsync(args);
            return;
        }

        if (args.Contains("--dlq"))
        {
            await DeadLetterBenchmark.RunAsync(args);
            return;
        }

        var shortRun = args.Contains("--short");
        var rest = args.Where(a => a != "--short").ToArray();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, BenchmarkConfig.Create(shortRun));
    }
}
