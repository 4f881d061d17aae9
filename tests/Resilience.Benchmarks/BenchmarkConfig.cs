using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Resilience.Benchmarks;

internal static class BenchmarkConfig
{
    public static IConfig Create(bool shortRun)
    {
        var job = shortRun
            // 200 ms iterations (default 500 ms) keep the whole 70-case matrix under 10 minutes on 2 cores; every
            // case here runs millions of operations per iteration, so the shorter iteration still averages plenty.
            ? Job.ShortRun.WithWarmupCount(3).WithIterationCount(5).WithLaunchCount(1).WithIterationTime(TimeInterval.FromMilliseconds(200))
            : Job.Default;
        return DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(RankColumn.Arabic)
            .WithOptions(ConfigOptions.DisableLogFile);
    }
}
